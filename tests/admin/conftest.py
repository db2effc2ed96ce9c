"""Fixtures of the admin tests: users of each role, a small survey, logged-in clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveyapp.extensions import db
from surveyapp.models import User
from surveyapp.services import accounts, surveys
from surveyapp.services.audit import Actor
from tests.admin.helpers import FIXTURES, PASSWORD, ROLES, clients_by_language, login


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """Create a user (password PASSWORD)."""

    def _make(email: str, role: str, language: str = "en", active: bool = True) -> User:
        with app.app_context():
            user = accounts.create_user(db.session, email, role, PASSWORD, Actor("system", "test"))
            user = user.user
            user.language = language
            user.is_active = active
            db.session.commit()
            return user

    return _make


@pytest.fixture
def users(make_user) -> dict[str, User]:
    """One active user per role, by role name (e-mail `<role>@example.org`)."""
    return {role: make_user(f"{role}@example.org", role) for role in ROLES}


@pytest.fixture
def as_role(app, users) -> Callable:
    """A test client logged in with the role's account."""

    def _client(role: str):
        client = app.test_client()
        response = login(client, f"{role}@example.org")
        assert response.status_code == 303, response.data[:500]
        return client

    return _client


@pytest.fixture
def demo_survey(app):
    """The small two-language fixture survey `demo`, loaded as version 1."""
    with app.app_context():
        result = surveys.load_schema_text(
            db.session, (FIXTURES / "demo.yaml").read_text(), "demo.yaml", Actor("system", "test")
        )
        return result.survey


@pytest.fixture
def cli(app, runner) -> Callable:
    """Run a `surveyapp` command in an app context, as the FlaskGroup entry point does."""

    def _invoke(*args: str):
        with app.app_context():
            return runner.invoke(args=list(args))

    return _invoke


@pytest.fixture
def clients(app, make_user):
    """A French-speaking and an English-speaking analyst, logged in."""
    return clients_by_language(app, make_user, "analyst")
