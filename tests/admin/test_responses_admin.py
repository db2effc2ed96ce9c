"""Responses for the study team: filters, pagination, one response, deletion with quota release."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, QuotaClaim, Response
from tests.admin.helpers import add_response, cell_completes, claim, csrf_from


def _ids(html: str) -> list[int]:
    marker = 'href="/admin/surveys/demo/responses/'
    return [int(part.split('"')[0]) for part in html.split(marker)[1:]]


def test_filters(app, as_role, demo_survey):
    day1 = datetime(2026, 1, 10, 12, tzinfo=UTC)
    day2 = datetime(2026, 1, 20, 12, tzinfo=UTC)
    a = add_response(
        app, demo_survey, status="complete", language="fr", params={"source": "1"}, started_at=day1
    )
    b = add_response(app, demo_survey, language="en", params={"source": "2"}, started_at=day2)
    c = add_response(
        app,
        demo_survey,
        status="screened_out",
        language="en",
        params={"source": "1"},
        started_at=day2,
        is_test=True,
    )
    client = as_role("study")
    base = "/admin/surveys/demo/responses"
    assert sorted(_ids(client.get(base).get_data(as_text=True))) == sorted([a, b, c])
    assert _ids(client.get(f"{base}?status=complete").get_data(as_text=True)) == [a]
    assert sorted(_ids(client.get(f"{base}?language=en").get_data(as_text=True))) == [b, c]
    assert sorted(_ids(client.get(f"{base}?source=1").get_data(as_text=True))) == [a, c]
    assert _ids(client.get(f"{base}?test=test").get_data(as_text=True)) == [c]
    assert sorted(_ids(client.get(f"{base}?test=real").get_data(as_text=True))) == [a, b]
    ranged = client.get(f"{base}?started_from=2026-01-15&started_to=2026-01-20")
    assert sorted(_ids(ranged.get_data(as_text=True))) == [b, c]
    until = client.get(f"{base}?started_to=2026-01-10")
    assert _ids(until.get_data(as_text=True)) == [a]
    assert client.get(f"{base}?started_from=notadate").status_code == 422


def test_pagination(app, as_role, demo_survey):
    for _ in range(55):
        add_response(app, demo_survey)
    client = as_role("admin")
    first = client.get("/admin/surveys/demo/responses").get_data(as_text=True)
    second = client.get("/admin/surveys/demo/responses?page=2").get_data(as_text=True)
    assert len(_ids(first)) == 50
    assert len(_ids(second)) == 5
    assert not set(_ids(first)) & set(_ids(second))
    assert 'rel="next"' in first
    assert 'rel="prev"' in second


def test_one_response_shows_labels_and_flags_free_text(app, as_role, demo_survey):
    rid = add_response(
        app,
        demo_survey,
        status="complete",
        language="en",
        answers={
            "q1": "1",
            "region": "2",
            "q2": ["1", "3"],
            "q2_other": "Mauve\u202e",
            "q3": "Because my neighbour Jean Dupont said so",
        },
    )
    client = as_role("study")
    html = client.get(f"/admin/surveys/demo/responses/{rid}").get_data(as_text=True)
    assert "Are you an adult?" in html
    assert "Yes" in html
    assert "South" in html
    assert "Green" not in html
    assert "Red" in html
    assert html.count("possibly personal") >= 2
    assert "&lt;U+202E&gt;" in html
    assert "\u202e" not in html
    assert client.get("/admin/surveys/demo/responses/999999").status_code == 404


def test_delete_releases_quota_in_the_same_transaction_and_audits_without_content(
    app, as_role, demo_survey
):
    rid = add_response(app, demo_survey, status="complete", answers={"q3": "secret text"})
    keep = add_response(app, demo_survey, status="complete")
    claim(app, rid, "by_region__1")
    claim(app, keep, "by_region__1")
    assert cell_completes(app, "by_region__1") == 2
    client = as_role("study")
    page = client.get(f"/admin/surveys/demo/responses/{rid}")
    response = client.post(
        f"/admin/surveys/demo/responses/{rid}/delete", data={"csrf_token": csrf_from(page.data)}
    )
    assert response.status_code == 303
    assert cell_completes(app, "by_region__1") == 1
    with app.app_context():
        assert db.session.get(Response, rid) is None
        assert db.session.get(Response, keep) is not None
        assert db.session.scalar(select(func.count()).select_from(QuotaClaim)) == 1
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "response.delete"))
        assert event.target == str(rid)
        assert event.actor == "study@example.org"
        assert event.details["quota_slots_released"] == 1
        assert "secret text" not in str(event.details)
    again = client.post(
        f"/admin/surveys/demo/responses/{rid}/delete", data={"csrf_token": csrf_from(page.data)}
    )
    assert again.status_code == 404


def test_delete_needs_csrf_and_the_right_role(app, as_role, demo_survey):
    rid = add_response(app, demo_survey)
    study = as_role("study")
    assert study.post(f"/admin/surveys/demo/responses/{rid}/delete").status_code == 400
    analyst = as_role("analyst")
    token = csrf_from(analyst.get("/admin/").data)
    assert (
        analyst.post(
            f"/admin/surveys/demo/responses/{rid}/delete", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert analyst.get("/admin/surveys/demo/responses").status_code == 403
    with app.app_context():
        assert db.session.get(Response, rid) is not None
