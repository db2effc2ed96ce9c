"""Privacy (RELIABILITY P-1..P-4): no address, user agent or referrer stored or logged; consent
recorded; contacts apart from answers; withdrawal as easy as consent."""

from __future__ import annotations

import logging
import re

from sqlalchemy import inspect, select

from surveyapp.extensions import db
from surveyapp.models import Contact, Response
from tests.respondent.helpers import (
    AMERICAN_USER,
    FRENCH_USER,
    SCREENED_OUT,
    SLUG,
    Respondent,
    db_dump,
)

PROBE = {
    "User-Agent": "PrivacyProbe/9.9 (X11)",
    "Referer": "https://referrer.example/campaign?id=42",
    "X-Forwarded-For": "203.0.113.7",
    "Accept-Language": "fr",
}
SECRETS = ("127.0.0.1", "203.0.113.7", "PrivacyProbe", "referrer.example")


def test_no_address_user_agent_or_referrer_is_stored_or_logged(app, barometer, caplog):
    caplog.set_level(logging.DEBUG)
    for script in (FRENCH_USER, AMERICAN_USER, SCREENED_OUT):
        client = app.test_client()
        Respondent(client, headers=PROBE).complete(script, "?src=adetem&pid=P-1")
    dump = repr(db_dump(app))
    assert [s for s in SECRETS if s in dump] == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert [s for s in (*SECRETS, "nom@entreprise.fr", "Start small") if s in logged] == []


def test_consent_is_recorded_with_its_version_language_and_time(app, client, barometer):
    r = Respondent(client, headers={"Accept-Language": "en"})
    r.start()
    r.answer(FRENCH_USER)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.consent_version == "2"  # barometer 2015.2 (spec §10.1 R2)
        assert response.answers["consent"] == "1"
        assert response.language == "en"
        assert response.started_at is not None


def test_contacts_are_kept_apart_with_no_link_to_the_response(app, client, barometer):
    Respondent(client, headers={"Accept-Language": "fr"}).complete(FRENCH_USER)
    columns = {c["name"] for c in inspect(db.engine_for(app)).get_columns("contacts")}
    assert columns == {"id", "survey_id", "email", "requests"}
    with app.app_context():
        contact = db.session.scalars(select(Contact)).one()
        response = db.session.scalars(select(Response)).one()
        assert contact.requests == {"q23": ["1"]}
        assert "nom@entreprise.fr" not in repr(response.answers) + repr(response.params)


def test_the_respondent_cookie_and_headers(client, barometer):
    r = Respondent(client, headers={"Accept-Language": "fr"})
    r.start()
    body = [*r.hidden().items(), ("consent", "1")]
    response = r.post(body)
    cookie = response.headers["Set-Cookie"]
    assert re.match(r"sv_barometre-2015=[0-9A-Z]{32};", cookie)
    for part in ("HttpOnly", "SameSite=Lax", f"Path=/s/{SLUG}/", "Max-Age="):
        assert part in cookie
    page = client.get(response.headers["Location"])
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert "<script>" not in html
    assert " style=" not in html


def test_a_person_who_does_not_agree_leaves_nothing(app, client, barometer):
    r = Respondent(client, headers=PROBE)
    r.start("?src=adetem")
    before = db_dump(app)
    refused = r.post([*r.hidden().items()])
    assert refused.status_code == 422
    assert "Set-Cookie" not in refused.headers or "sv_" not in refused.headers["Set-Cookie"]
    assert db_dump(app) == before
