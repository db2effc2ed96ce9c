"""Fixtures of the results tests: the barometer with generated responses, logged-in clients."""

from __future__ import annotations

import gc

import pytest

from surveyapp.extensions import db
from surveyapp.services import accounts, surveys
from surveyapp.services import results as results_service
from surveyapp.services.audit import Actor
from tests.admin.helpers import PASSWORD, login
from tests.results.helpers import BAROMETER, barometer, generate

#: Generated once per test session: (answers, status, ending) of 240 respondents.
_FILLED: list = []


def filled_responses() -> list:
    """240 generated barometer responses (any status), the same in every test."""
    if not _FILLED:
        _FILLED.extend(generate(barometer(), 240, seed=7))
    return _FILLED


@pytest.fixture(autouse=True)
def _fresh_results_cache():
    """Each test reads the database again (the cache is per process)."""
    results_service.clear_cache()
    yield
    results_service.clear_cache()


@pytest.fixture
def baro(app):
    """The barometer loaded as version 1, with 240 generated responses and 5 test responses."""
    from tests.results.helpers import store

    # A garbage collection during the schema load's flush has made SQLAlchemy 2.1 insert one
    # pending quota cell twice (UNIQUE failure) after the heavy tests before it: collect first.
    gc.collect()
    with app.app_context():
        survey = surveys.load_schema_file(db.session, BAROMETER, Actor("system", "test")).survey
        store(db.session, survey, filled_responses())
        store(db.session, survey, filled_responses()[:5], is_test=True, start=1000)
        return survey.slug


@pytest.fixture
def as_role(app):
    """A test client logged in with a fresh account of the role (language `lang`)."""

    made: set[str] = set()

    def _client(role: str, lang: str = "en"):
        email = f"{role}-{lang}@example.org"
        with app.app_context():
            if accounts.normalise_email(email) not in made:
                user = accounts.create_user(db.session, email, role, PASSWORD, Actor("system", "t"))
                user.user.language = lang
                db.session.commit()
                made.add(accounts.normalise_email(email))
        client = app.test_client()
        response = login(client, email)
        assert response.status_code == 303, response.data[:300]
        return client

    return _client
