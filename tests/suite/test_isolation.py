"""The suite's own fixtures: one app per session, yet every test starts clean.

The two `test_starts_clean_then_dirties` cases run in either order (or alone): each first
checks that nothing another test did is left (rows, configuration, limiter counters), then
leaves all of that behind, so whichever runs second fails if isolation breaks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, User
from surveyapp.services import accounts
from surveyapp.services.audit import Actor
from tests.admin.helpers import csrf_from
from tests.conftest import PRODUCTION_HASHER, TEST_HASHER, SharedApp

SEEN_APPS: list[int] = []
MARK = "SUITE_ISOLATION_MARK"


@pytest.mark.parametrize("name", ["one", "two"])
def test_starts_clean_then_dirties(app, client, name):
    SEEN_APPS.append(id(app))
    assert len(set(SEEN_APPS)) == 1, "each test should get this worker's one app"
    assert MARK not in app.config
    assert app.config["LOGIN_RATE_LIMIT"] != "1 per hour"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
        accounts.create_user(
            db.session, "same@example.org", "admin", "a long enough password", Actor("system", "t")
        )
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    app.config[MARK] = name
    app.config["LOGIN_RATE_LIMIT"] = "1 per hour"
    # One login attempt uses up the limit; the other case must get its own attempt.
    token = csrf_from(client.get("/admin/login").data)
    form = {"email": "same@example.org", "password": "wrong", "csrf_token": token}
    assert client.post("/admin/login", data=form).status_code != 429
    assert client.post("/admin/login", data=form).status_code == 429


@pytest.mark.own_app
def test_own_app_gets_a_new_app(app, shared_app):
    assert app is not shared_app.app
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_test_that_changes_the_app_gets_it_rebuilt(database_url: str, tmp_path: Path):
    shared = SharedApp(database_url)
    first = shared.checkout(tmp_path)
    first.config["SOMETHING"] = 1
    shared.checkin()
    assert shared.checkout(tmp_path) is first  # configuration is restored, not a reason
    assert "SOMETHING" not in first.config
    first.add_url_rule("/suite-test/extra", "suite_extra", lambda: "x")
    shared.checkin()
    assert shared.rebuilt == 1
    second = shared.checkout(tmp_path)
    assert second is not first
    assert "suite_extra" not in second.view_functions
    shared.close()


def test_cheap_hashing_in_tests_production_parameters_unchanged():
    assert accounts.HASHER is TEST_HASHER
    assert PRODUCTION_HASHER.time_cost == 2
    assert PRODUCTION_HASHER.memory_cost == 47104
    assert PRODUCTION_HASHER.type == TEST_HASHER.type  # argon2id in both
    stored = accounts.HASHER.hash("x")
    assert PasswordHasher().verify(stored, "x")
    assert PRODUCTION_HASHER.check_needs_rehash(stored)  # a real login would upgrade it
