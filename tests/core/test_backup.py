"""`surveyapp backup` / `surveyapp restore`: a restored instance gives byte-identical exports
and the same quota counters, on SQLite and PostgreSQL (issue #16 point 13)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from surveyapp import create_app
from surveyapp.extensions import db
from tests.respondent.helpers import (
    AMERICAN_USER,
    CANADIAN,
    FRENCH_USER,
    Respondent,
    open_barometer,
)

SLUG = "barometre-2015"
QUOTAS = (
    "SELECT quota_id, cell_id, kind, target, completes, is_closed FROM quota_cells ORDER BY cell_id"
)


@pytest.fixture
def empty_database(database_url, tmp_path):
    """The URL of a new, empty database of the same backend as the test database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"{url.database}_restored"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _app_on(url: str, tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": url,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    app.instance_path = str(tmp_path)
    return app


def _cli(app, *args: str):
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _exports(app, folder) -> dict[str, bytes]:
    files = {}
    for fmt in ("csv", "codebook"):
        out = folder / f"{fmt}.csv"
        result = _cli(app, "export", SLUG, "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        files[fmt] = out.read_bytes()
    return files


def _quotas(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(text(QUOTAS)).all()]


def test_a_restored_backup_gives_identical_exports_and_quotas(app, empty_database, tmp_path):
    open_barometer(app)
    for script in (FRENCH_USER, AMERICAN_USER, CANADIAN):
        Respondent(app.test_client(), headers={"Accept-Language": "fr"}).complete(script)
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    before = _exports(app, tmp_path / "before")
    quotas = _quotas(app)
    assert sum(row[4] for row in quotas) >= 3
    backup = tmp_path / "surveyapp.backup"
    result = _cli(app, "backup", str(backup))
    assert result.exit_code == 0, result.output
    assert oct(backup.stat().st_mode & 0o777) == "0o600"

    restored = _app_on(empty_database, tmp_path)
    try:
        result = _cli(restored, "restore", str(backup))
        assert result.exit_code == 0, result.output
        assert "db upgrade" not in result.output  # the backup is at this app's revision
        assert _exports(restored, tmp_path / "after") == before
        assert _quotas(restored) == quotas
        check = _cli(restored, "survey", "quotas", SLUG, "--check")
        assert check.exit_code == 0, check.output
        again = _cli(restored, "restore", str(backup))
        assert again.exit_code == 1
        assert "is not empty" in again.output
        assert "restore only into a new, empty database" in again.output
    finally:
        db.dispose(restored)


def test_backup_refuses_to_overwrite_and_restore_refuses_the_wrong_kind(app, tmp_path):
    existing = tmp_path / "exists.backup"
    existing.write_bytes(b"keep me")
    result = _cli(app, "backup", str(existing))
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert existing.read_bytes() == b"keep me"
    result = _cli(app, "restore", str(existing))
    assert result.exit_code == 1
    assert "not a backup" in result.output


def test_sqlite_backup_while_a_writer_holds_the_lock(tmp_path):
    """The online backup copies the committed state while another connection writes."""
    from surveyapp.services import backups

    source = tmp_path / "live.db"
    setup = sqlite3.connect(source, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (x INTEGER)")
    setup.execute("INSERT INTO t VALUES (1)")
    writer = sqlite3.connect(source, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (2)")  # not committed during the backup
    try:
        backups.backup(f"sqlite:///{source}", tmp_path / "copy.db")
    finally:
        writer.execute("COMMIT")
        writer.close()
        setup.close()
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT x FROM t").fetchall() == [(1,)]
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()
