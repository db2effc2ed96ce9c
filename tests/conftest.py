"""Shared fixtures: an app on a migrated database (SQLite by default, PostgreSQL on request).

Set SURVEYAPP_TEST_DATABASE_URL to run the database tests on another server, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_test (the database must exist and be
empty or at our head revision). Tests that use the `app` fixture are marked `db` automatically,
so `pytest -m db` selects exactly the tests worth repeating on a second database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from surveyapp import create_app
from surveyapp.database import engine_for_url
from surveyapp.extensions import db
from surveyapp.models import Base
from surveyapp.services import accounts, migrations, translations

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: The browser tests' shared chromium (`browser`, `chromium`).
pytest_plugins = ["tests.support.browser"]

DB_FIXTURES = {"app", "client", "runner", "session", "database_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that touches the database with `db`."""
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    """The interface catalogs, compiled once (the container compiles them at build time)."""
    translations.compile_catalogs()


#: The production hasher, kept so a test can check its parameters (tests/core/test_suite_speed.py).
PRODUCTION_HASHER = accounts.HASHER
#: argon2id at its cheapest settings for the in-process tests: a production hash (47 MiB, t=2)
#: costs 70-300 ms, and the role fixtures hash three passwords per test. Same algorithm and
#: encoding, so every login, rehash and policy path runs unchanged; servers started in a
#: subprocess (gunicorn, the CLI) keep the production parameters.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Swap the argon2 hasher (and the unknown-user dummy hash) for cheap settings."""
    saved = accounts.HASHER, accounts.DUMMY_HASH
    accounts.HASHER = TEST_HASHER
    accounts.DUMMY_HASH = TEST_HASHER.hash("dummy password for unknown users")
    yield
    accounts.HASHER, accounts.DUMMY_HASH = saved


def _migrated(url: str) -> str:
    engine = engine_for_url(url)
    migrations.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head for this test session (for this worker under xdist).

    SQLite: a file in the session's (the worker's) temporary directory. PostgreSQL: the database
    SURVEYAPP_TEST_DATABASE_URL names; under pytest-xdist each worker gets its own database,
    named after it and the worker (`<name>_gw0`, ...), created here and dropped at the end.
    """
    url = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if not url:
        yield _migrated(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    parsed = make_url(url)
    if not worker or parsed.get_backend_name() != "postgresql":
        yield _migrated(url)
        return
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with admin.connect() as conn:
        conn.execute(drop)  # left over by an interrupted run
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _migrated(parsed.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()


def _empty_tables(app) -> None:
    engine = db.engine_for(app)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == "surveys":
                conn.execute(text("UPDATE surveys SET current_version_id = NULL"))
            conn.execute(table.delete())


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    """A fresh app on empty tables, CSRF on, as in production."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    app.instance_path = str(tmp_path)
    _empty_tables(app)
    yield app
    db.dispose(app)


@pytest.fixture
def client(app):
    """A test client (CSRF stays on: tests post the token like a browser)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner bound to the app."""
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """The app's database session inside an application context."""
    with app.app_context():
        yield db.session
