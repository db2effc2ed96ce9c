"""Ballot and quota stuffing (issue #16 point 4): a per-client limit on new responses, and
invitation-only surveys whose open link is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db, limiter
from surveyapp.models import AuditEvent, Response, Survey
from surveyapp.respondent.starts import client_key
from tests.admin.helpers import post_form
from tests.admin.test_preview_test_mode import _run, _start_test
from tests.respondent.helpers import Respondent

FIRST_PAGE = {"q1": "1", "region": "1"}


@pytest.fixture
def open_demo(app, demo_survey):
    with app.app_context():
        db.session.get(Survey, demo_survey.id).state = "open"
        db.session.commit()
    return demo_survey


def _responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def _start(app, lang: str = "fr", address: str = "192.0.2.10", expect: int = 303):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    r = Respondent(client, slug="demo", headers={"Accept-Language": lang})
    r.start()
    assert r.status == 200
    return r.answer(FIRST_PAGE, expect=expect)


# --------------------------------------------------------------------------- (a) start limit
def test_new_responses_per_client_are_limited_politely_and_nothing_is_kept(app, open_demo):
    app.config["RESPONDENT_START_LIMIT"] = "3 per hour"
    for _ in range(3):
        _start(app)
    assert _responses(app) == 3
    refused = _start(app, lang="en", expect=429)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3600"
    html = refused.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Please try again a little later" in html
    assert "Nothing has been saved." in html
    refused_fr = _start(app, lang="fr", expect=429).get_data(as_text=True)
    assert '<html lang="fr">' in refused_fr
    assert "Veuillez réessayer un peu plus tard" in refused_fr
    assert _responses(app) == 3  # nothing half-done
    _start(app, address="192.0.2.11")  # another client is not affected
    assert _responses(app) == 4


def test_the_limit_keys_hold_no_address_and_ipv6_counts_per_slash_64(app, open_demo):
    app.config["RESPONDENT_START_LIMIT"] = "2 per hour"
    _start(app, address="2001:db8:1:2::1")
    _start(app, address="2001:db8:1:2:ffff::9")
    _start(app, address="2001:db8:1:2::77", expect=429)  # same /64: the same subscriber
    _start(app, address="2001:db8:1:3::1")  # another /64
    keys = " ".join(str(k) for k in limiter.storage.storage)
    assert "2001:db8" not in keys
    assert "respondent-start:" in keys
    secret = "s"
    assert client_key("192.0.2.1", secret, "2026-12-01") != client_key(
        "192.0.2.1", secret, "2026-12-02"
    )
    assert "192.0.2.1" not in client_key("192.0.2.1", secret)


def test_a_page_refused_by_validation_does_not_count(app, open_demo):
    app.config["RESPONDENT_START_LIMIT"] = "1 per hour"
    client = app.test_client()
    r = Respondent(client, slug="demo", headers={"Accept-Language": "fr"})
    r.start()
    assert r.post(r.hidden().items()).status_code == 422  # nothing answered
    _start(app, address="127.0.0.1")
    assert _responses(app) == 1


# --------------------------------------------------------------------------- (d) access
def _set_access(as_role, access: str):
    client = as_role("study")
    return post_form(
        client, "/admin/surveys/demo", "/admin/surveys/demo/access", {"access": access}
    )


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("fr", "Cette enquête est réservée aux personnes invitées"),
        ("en", "This survey is by invitation only"),
    ],
)
def test_an_invitation_only_survey_refuses_its_open_link(app, as_role, open_demo, lang, title):
    assert _set_access(as_role, "invitation").status_code == 303
    client = app.test_client()
    page = client.get("/s/demo/", headers={"Accept-Language": lang})
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert title in html
    assert client.get("/s/demo/p/p1").status_code == 404
    posted = client.post("/s/demo/p/p1", data={"q1": "1", "region": "1", "_action": "next"})
    assert posted.status_code in (400, 404)  # never stored (400: no CSRF token from a page)
    assert _responses(app) == 0
    assert "/s/demo/" not in client.get("/", follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "survey.access")
        ).one()
        assert event.details == {"from": "open", "to": "invitation"}


def test_an_invitation_only_survey_still_runs_in_test_mode(app, as_role, open_demo):
    _set_access(as_role, "invitation")
    client = as_role("study")
    _run(client, _start_test(client))
    with app.app_context():
        assert db.session.scalars(select(Response.is_test)).all() == [True]


def test_a_response_started_before_the_switch_goes_on(app, as_role, open_demo):
    client = app.test_client()
    r = Respondent(client, slug="demo", headers={"Accept-Language": "fr"})
    r.start()
    r.answer(FIRST_PAGE)
    _set_access(as_role, "invitation")
    assert client.get("/s/demo/").status_code == 303  # to its current page
    assert r.get("/s/demo/").status_code == 200


def test_the_access_control_validates_and_is_for_the_study_team(app, as_role, open_demo):
    assert _set_access(as_role, "everyone").status_code == 422
    analyst = as_role("analyst")
    denied = post_form(
        analyst, "/admin/surveys/demo", "/admin/surveys/demo/access", {"access": "open"}
    )
    assert denied.status_code == 403
    page = as_role("study").get("/admin/surveys/demo").get_data(as_text=True)
    assert 'name="access"' in page


# --------------------------------------------------------------------------- (c) alerts
@pytest.mark.parametrize(
    ("lang", "heading", "fast"),
    [
        ("en", "Unusual completions", "30 responses were completed in less than"),
        ("fr", "Complétions inhabituelles", "30 réponses ont été complétées en moins de"),
    ],
)
def test_the_dashboard_flags_a_burst_of_fast_completions(
    app, as_role, make_user, open_demo, lang, heading, fast
):
    from datetime import timedelta

    from surveyapp.models import utcnow
    from tests.admin.helpers import add_response

    now = utcnow()
    for i in range(40):  # the usual pace: one every half hour, 12 minutes each
        done = now - timedelta(days=3, minutes=30 * i)
        add_response(
            app,
            open_demo,
            status="complete",
            started_at=done - timedelta(minutes=12),
            completed_at=done,
        )
    for i in range(30):  # a script: 30 in a minute, 20 seconds each
        done = now - timedelta(hours=1, seconds=2 * i)
        add_response(
            app,
            open_demo,
            status="complete",
            started_at=done - timedelta(seconds=20),
            completed_at=done,
        )
    make_user(f"{lang}@example.org", "analyst", language=lang)
    client = app.test_client()
    from tests.admin.helpers import login

    assert login(client, f"{lang}@example.org").status_code == 303
    html = client.get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    assert heading in html
    assert fast in html
    assert html.count("<li>") >= 1


def test_a_quiet_dashboard_shows_no_alert(app, as_role, open_demo):
    html = as_role("analyst").get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    assert "Unusual completions" not in html
