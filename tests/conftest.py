"""Shared fixtures: an app on a migrated database (SQLite by default, PostgreSQL on request).

One app per test session (per xdist worker), reset for each test, and the tables emptied
between tests (`SharedApp`, `app`); argon2 at its cheapest settings in-process
(`_cheap_password_hashing`). tests/suite/test_isolation.py proves the isolation.

Set SURVEYAPP_TEST_DATABASE_URL to run the database tests on another server, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_test (the database must exist and be
empty or at our head revision). Tests that use the `app` fixture are marked `db` automatically,
so `pytest -m db` selects exactly the tests worth repeating on a second database.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from surveyapp import create_app
from surveyapp.database import engine_for_url
from surveyapp.extensions import db, limiter
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "own_app: the test changes the app itself (adds routes): give it a new app"
    )


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


def _empty_tables(app: Flask) -> None:
    """One DELETE per table, children first (a few ms): the next test starts on empty tables."""
    engine = db.engine_for(app)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == "surveys":
                conn.execute(text("UPDATE surveys SET current_version_id = NULL"))
            conn.execute(table.delete())


def _new_app(database_url: str) -> Flask:
    return create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def _shape(app: Flask) -> tuple[object, ...]:
    """What a test must not change on the shared app (routes, hooks, key, database engine)."""
    return (
        len(app.url_map._rules),  # werkzeug keeps no public count
        tuple(app.blueprints),
        sum(len(funcs) for funcs in app.before_request_funcs.values()),
        sum(len(funcs) for funcs in app.after_request_funcs.values()),
        app.secret_key,
        app.wsgi_app,
        _engine_or_none(app),
    )


def _engine_or_none(app: Flask) -> object:
    try:
        return db.engine_for(app)
    except KeyError:  # disposed by the test
        return None


class SharedApp:
    """One app per test session (per xdist worker), handed to each test as new.

    Building an app costs ~20 ms, and its first requests compile the templates and load the
    catalogs again (~50-200 ms a test). Each test instead gets this worker's app with: its
    configuration restored from a snapshot taken at creation (tests set limits, URLs, job
    sizes), the login limiter's counters emptied and its storage rebound to this app (an app
    made inside a test rebinds the global limiter), its own instance folder, and empty tables.
    A test that changes the app itself (adds a route, a hook, another secret key, disposes its
    engine) is noticed at its end and the app is rebuilt for the next test; a test that must
    add routes asks for a new app of its own with `@pytest.mark.own_app`.
    """

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.app: Flask | None = None
        self.rebuilt = 0

    def _build(self) -> Flask:
        app = _new_app(self.database_url)
        self.config = copy.deepcopy(dict(app.config))
        self.limiter_state = dict(limiter.__dict__)
        self.shape = _shape(app)
        return app

    def checkout(self, instance_path: Path) -> Flask:
        if self.app is None:
            self.app = self._build()
        app = self.app
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))
        limiter.__dict__.update(self.limiter_state)
        limiter.reset()
        app.instance_path = str(instance_path)
        return app

    def checkin(self) -> None:
        if self.app is not None and _shape(self.app) != self.shape:
            db.dispose(self.app)
            self.app = None
            self.rebuilt += 1

    def close(self) -> None:
        if self.app is not None:
            db.dispose(self.app)
            self.app = None


@pytest.fixture(scope="session")
def shared_app(database_url: str) -> Iterator[SharedApp]:
    shared = SharedApp(database_url)
    yield shared
    shared.close()


@pytest.fixture
def app(request: pytest.FixtureRequest, shared_app: SharedApp, tmp_path: Path):
    """An app on empty tables, CSRF on, as in production: this worker's shared app, reset
    (see SharedApp), or a new one for a test marked `own_app`."""
    if request.node.get_closest_marker("own_app"):
        app = _new_app(shared_app.database_url)
        app.instance_path = str(tmp_path)
        _empty_tables(app)
        yield app
        db.dispose(app)
        return
    app = shared_app.checkout(tmp_path)
    _empty_tables(app)
    yield app
    shared_app.checkin()


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
