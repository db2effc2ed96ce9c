"""The quota page and JSON: who may see and change them, figures, target and close/reopen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, QuotaCell, Response, utcnow
from surveyapp.services import quotas, tokens
from surveyapp.services.audit import Actor
from tests.admin.helpers import add_response, cell_completes, claim, post_form

PAGE = "/admin/surveys/demo/quotas"
JSON = "/admin/surveys/demo/quotas.json"
NORTH = "by_region__1"


@pytest.fixture
def filled(app, demo_survey):
    """Two completes in the North cell (claimed), one in progress there, one in the South."""
    for _ in range(2):
        claim(
            app, add_response(app, demo_survey, status="complete", answers={"region": "1"}), NORTH
        )
    add_response(app, demo_survey, answers={"q1": "1", "region": "1"})
    add_response(app, demo_survey, answers={"q1": "1", "region": "2"}, language="en")
    add_response(app, demo_survey, answers={"region": "1"}, is_test=True)  # never counted
    return demo_survey


@pytest.mark.parametrize("role", ["analyst", "study", "admin"])
def test_every_role_sees_the_quota_page(as_role, filled, role):
    response = as_role(role).get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-cell="by_region__1"' in html
    assert "<meter" in html
    assert "admin-quotas.js" in html
    assert ("Save target" in html) is (role != "analyst")


def test_anonymous_is_sent_to_login(client, demo_survey):
    assert client.get(PAGE).status_code == 302
    assert client.get(JSON).status_code == 401


def test_json_figures(as_role, filled):
    data = as_role("analyst").get(JSON).get_json()
    cells = {c["cell"]: c for c in data["hard"][0]["cells"]}
    assert cells[NORTH]["completes"] == 2
    assert cells[NORTH]["target"] == 50
    assert cells[NORTH]["in_progress"] == 1  # the test response is left out
    assert cells[NORTH]["percent"] == 4
    assert cells["by_region__2"]["in_progress"] == 1
    assert data["completes_last_7_days"] == 2
    assert data["remaining"] == 98
    assert data["projected_fill"] is not None
    assert {t["code"]: t["in_progress"] for t in data["by_country"]} == {"1": 1, "2": 1}
    languages = {t["code"]: (t["completes"], t["in_progress"]) for t in data["by_language"]}
    assert languages == {"fr": (2, 1), "en": (0, 1)}
    assert sum(d["complete"] for d in data["completes_per_day"]) == 2


def test_projection_uses_the_last_seven_days(app, as_role, demo_survey):
    old = utcnow() - timedelta(days=20)
    claim(app, add_response(app, demo_survey, status="complete", completed_at=old), NORTH)
    data = as_role("study").get(JSON).get_json()
    assert data["completes_last_7_days"] == 0
    assert data["projected_fill"] is None  # no recent pace: no date


def _token(app, scopes, surveys=None):
    with app.app_context():
        return tokens.create_token(
            db.session, "analyst@example.org", list(scopes), surveys, 30, Actor("system", "t")
        ).secret


def test_json_with_a_quotas_token(app, users, filled):
    client = app.test_client()
    ok = client.get(JSON, headers={"Authorization": f"Bearer {_token(app, ['quotas'])}"})
    assert ok.status_code == 200
    assert ok.get_json()["survey"] == "demo"
    wrong = client.get(JSON, headers={"Authorization": f"Bearer {_token(app, ['export'])}"})
    assert wrong.status_code == 401
    assert client.get(JSON + "?token=x").status_code == 401


def _audit(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_change_target_is_audited(app, as_role, filled):
    client = as_role("study")
    response = post_form(client, PAGE, f"{PAGE}/{NORTH}/target", {"target": "2"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/surveys/demo/quotas#cell-{NORTH}")
    with app.app_context():
        cell = db.session.scalar(select(QuotaCell).where(QuotaCell.cell_id == NORTH))
        assert cell.target == 2
    (event,) = _audit(app, "quota.target")
    assert event.target == NORTH
    assert event.actor == "study@example.org"
    page = client.get(PAGE).get_data(as_text=True)
    assert "Target of North saved." in page


def test_bad_target_is_refused(as_role, filled):
    client = as_role("admin")
    assert post_form(client, PAGE, f"{PAGE}/{NORTH}/target", {"target": "-1"}).status_code == 422
    assert post_form(client, PAGE, f"{PAGE}/{NORTH}/target", {"target": "x"}).status_code == 422
    assert post_form(client, PAGE, f"{PAGE}/nope/target", {"target": "3"}).status_code == 404


def test_analyst_cannot_change(as_role, filled):
    client = as_role("analyst")
    assert post_form(client, PAGE, f"{PAGE}/{NORTH}/target", {"target": "1"}).status_code == 403
    assert post_form(client, PAGE, f"{PAGE}/{NORTH}/state", {"action": "close"}).status_code == 403


def test_target_change_needs_csrf(as_role, filled):
    assert as_role("study").post(f"{PAGE}/{NORTH}/target", data={"target": "1"}).status_code == 400


def test_close_and_reopen(app, as_role, filled):
    client = as_role("study")
    assert post_form(client, PAGE, f"{PAGE}/{NORTH}/state", {"action": "close"}).status_code == 303
    assert 'value="reopen"' in client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        assert quotas.full_cells(db.session, filled.id, [NORTH]) == {NORTH}
    assert post_form(client, PAGE, f"{PAGE}/{NORTH}/state", {"action": "reopen"}).status_code == 303
    with app.app_context():
        assert quotas.full_cells(db.session, filled.id, [NORTH]) == frozenset()
    assert len(_audit(app, "quota.close")) == 1
    assert len(_audit(app, "quota.reopen")) == 1
    assert post_form(client, PAGE, f"{PAGE}/{NORTH}/state", {"action": "x"}).status_code == 422


def test_lowered_target_stops_new_completes(app, as_role, filled):
    """Below the count, the claim of the next finisher fails (the service's conditional UPDATE)."""
    client = as_role("study")
    assert post_form(client, PAGE, f"{PAGE}/{NORTH}/target", {"target": "1"}).status_code == 303
    rid = add_response(app, filled, answers={"region": "1"})
    with app.app_context():
        response = db.session.get(Response, rid)
        assert quotas.claim(db.session, response, [NORTH]) is False
        db.session.rollback()
        assert quotas.check_invariant(db.session, filled.id) == []
    assert cell_completes(app, NORTH) == 2
    assert ">full<" in client.get(PAGE).get_data(as_text=True)


def test_survey_page_links_to_quotas_preview_and_test(as_role, filled):
    html = as_role("study").get("/admin/surveys/demo").get_data(as_text=True)
    assert "/admin/surveys/demo/quotas" in html
    assert "/admin/surveys/demo/preview" in html
    assert "/admin/surveys/demo/test" in html
    analyst = as_role("analyst").get("/admin/surveys/demo").get_data(as_text=True)
    assert "/admin/surveys/demo/test" not in analyst


def test_unknown_survey_is_404(as_role, demo_survey):
    client = as_role("study")
    assert client.get("/admin/surveys/nope/quotas").status_code == 404
    assert client.get("/admin/surveys/nope/quotas.json").status_code == 404
