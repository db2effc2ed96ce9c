"""F-7: the durability settings an acknowledged answer relies on, read from the connections
the app itself opens with its production configuration (see docs/operations.md).

SQLite: WAL with synchronous=NORMAL (a commit survives an application or worker crash; a power
cut may lose the last commits, never corrupt the file), a busy timeout of at least 5 s,
foreign keys on. PostgreSQL: synchronous_commit=on (the commit is flushed to the WAL on disk
before the answer is acknowledged), with fsync and full_page_writes on the server.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from surveyapp import create_app
from surveyapp.extensions import db

pytestmark = pytest.mark.db

SQLITE_EXPECTED = {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1}
POSTGRES = {"synchronous_commit": "on", "fsync": "on", "full_page_writes": "on"}


@pytest.fixture
def production_app(database_url, monkeypatch, tmp_path):
    """The app as production builds it: SURVEYAPP_ENV=production, defaults everywhere else."""
    for name in ("SURVEYAPP_SQLITE_BUSY_TIMEOUT_MS", "SURVEYAPP_DB_POOL_SIZE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SURVEYAPP_ENV", "production")
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", "durability-test-secret")
    monkeypatch.setenv("SURVEYAPP_DATABASE_URL", database_url)
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    yield app
    db.dispose(app)


def test_durability_settings_of_the_app_connections(production_app, database_url):
    with production_app.app_context(), db.engine.connect() as conn:
        if database_url.startswith("sqlite"):
            found = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in [*SQLITE_EXPECTED, "busy_timeout"]
            }
            assert {k: found[k] for k in SQLITE_EXPECTED} == SQLITE_EXPECTED
            assert found["busy_timeout"] >= 5000
        else:
            found = {name: conn.execute(text(f"SHOW {name}")).scalar() for name in POSTGRES}
            assert found == POSTGRES
    print(f"F-7: {found}")
