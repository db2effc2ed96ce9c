"""Fixtures of the export tests: the barometer loaded, respondents filled, clients and tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from surveyapp.extensions import db
from surveyapp.services import accounts, tokens
from surveyapp.services.audit import Actor
from tests.exports.helpers import BLANK, add_version, fill, schema_of, store

BAROMETER = Path(__file__).resolve().parents[2] / "surveyapp" / "surveys" / "barometre-2015.yaml"
PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SYSTEM = Actor("system", "test")

#: A French user of social media: Viadeo offered (S1 = 1), several networks (Q4 asked).
FRENCH_USER = {
    "s1": "1",
    "s2": "1",
    "s3": "1",
    "s4": "2",
    "s5": "1",
    "s6": "4",
    "s7": "14",
    "s7_other": '=HYPERLINK("http://127.0.0.1/x","x")',
    "s8": "3",
    "q1": "1",
    "q2": "5",
    "q3": ["1", "3", "4"],
    "q4": "3",
    "q6": ["1", "6"],
    "q8": "5",
    "q8b": ["2", "4"],
    "q10": "1",
    "q10a": ["3"],
    "q11": "5",
    "q11b": ["1", "6"],
    "q11b_other": BLANK,
    "q13": ["1", "3"],
    "q14": "3",
    "q14b": ["2"],
    "q17": {"a": "2", "b": "2", "c": "2"},
    "q20": "2",
    "q22": "-5 conseils: écouter, « répondre »",
    "q23": ["4"],
}
#: An American user with one network (Q4 not asked, auto-coded in q4_main), Q22 left blank.
US_USER = {
    "s1": "2",
    "s2": "4",
    "s3": "3",
    "s4": "1",
    "s5": "2",
    "s6": "7",
    "s7": "5",
    "s8": "2",
    "q1": "1",
    "q2": "4",
    "q3": ["2"],
    "q8": "7",
    "q10": "3",
    "q11": "1",
    "q11a": "2",
    "q14": "1",
    "q14a": ["1", "2"],
    "q15": "1",
    "q17": {"a": "1", "b": "3", "c": "5"},
    "q20": "1",
    "q20a": ["8"],
    "q20a_other": "Teams",
    "q22": BLANK,
    "q23": ["1", "2"],
}
#: A non-user (B1): Q1a and Q1b, then END_NONUSER; Q1b left blank.
NON_USER = {
    "s1": "3",
    "s1b": "1",
    "s2": "5",
    "s3": "2",
    "s4": "3",
    "s5": "3",
    "s6": "2",
    "s7": "12",
    "s8": "4",
    "q1": "3",
    "q1a": ["2", "8"],
    "q1a_other": "@budget",
    "q1b": BLANK,
}
#: Screened out at S2 (an agency).
AGENCY = {"s1": "1", "s2": "2", "s3": "1"}


@pytest.fixture
def barometer(app):
    """The barometer questionnaire, version 1."""
    with app.app_context():
        survey = add_version(BAROMETER.read_text(encoding="utf-8"), "barometre-2015.yaml")
        db.session.expunge(survey)
        return survey


@pytest.fixture
def respond(app, barometer) -> Callable[..., int]:
    """Fill one barometer response through the engine and store it; returns its id."""

    def _respond(script, *, params=None, stop_after=None, **store_args) -> int:
        params = {"source": "1"} if params is None else params
        with app.app_context():
            schema = schema_of(barometer)
            filled = fill(schema, script, params=params, stop_after=stop_after)
            return store(barometer, filled, params=params, **store_args)

    return _respond


@pytest.fixture
def panel(respond) -> dict[str, int]:
    """Four completes (two speeders' worth of contrast), one screen-out, one in progress,
    one test response; timestamps spread over May–July 2015."""
    day = datetime(2015, 5, 10, 9, tzinfo=UTC)
    ids = {
        "french": respond(FRENCH_USER, started_at=day, seconds=900),
        "us": respond(
            US_USER,
            params={"source": "3"},
            language="en",
            started_at=day + timedelta(days=30),
            seconds=80,
        ),
        "nonuser": respond(
            NON_USER, params={"source": "2"}, started_at=day + timedelta(days=40), seconds=200
        ),
        "french2": respond(
            FRENCH_USER, params={"source": "4"}, started_at=day + timedelta(days=60), seconds=1000
        ),
        "agency": respond(AGENCY, started_at=day + timedelta(days=2), seconds=40),
        "partial": respond(FRENCH_USER, stop_after="p05", started_at=day + timedelta(days=3)),
        "test": respond(FRENCH_USER, is_test=True, started_at=day + timedelta(days=4)),
    }
    return ids


@pytest.fixture
def make_user(app) -> Callable[[str, str], None]:
    """Create an active user with PASSWORD."""

    def _make(email: str, role: str) -> None:
        with app.app_context():
            accounts.create_user(db.session, email, role, PASSWORD, SYSTEM)

    return _make


@pytest.fixture
def login_as(app, make_user) -> Callable[[str], object]:
    """A test client logged in with a new account of `role`."""

    def _login(role: str):
        email = f"{role}@example.org"
        make_user(email, role)
        client = app.test_client()
        page = client.get("/admin/login")
        token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
        response = client.post(
            "/admin/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        return client

    return _login


@pytest.fixture
def api_token(app, make_user) -> Callable[..., str]:
    """A bearer token of an analyst, scoped to `scopes` and `surveys`."""

    def _token(scopes=("export",), surveys=("barometre-2015",)) -> str:
        email = "script@example.org"
        with app.app_context():
            if accounts.normalise_email(email) not in {
                u.email for u in accounts.list_users(db.session)
            }:
                accounts.create_user(db.session, email, "analyst", PASSWORD, SYSTEM)
            created = tokens.create_token(
                db.session, email, list(scopes), list(surveys) if surveys else None, 30, SYSTEM
            )
            return created.secret

    return _token
