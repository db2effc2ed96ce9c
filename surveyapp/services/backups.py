"""Backups that restore: a consistent copy of the live database, and a restore into an empty one.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot while
the app keeps writing (WAL: readers never block writers), into a temporary file that is checked
(`PRAGMA integrity_check`), switched to a single-file journal and renamed into place.
PostgreSQL: `pg_dump --format=custom` (consistent by design: one repeatable-read snapshot) and
`pg_restore --single-transaction` into an empty database.

Both refuse to overwrite: `backup` an existing file, `restore` a database that has tables.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore, argument lists, never a shell
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """What was written or restored."""

    path: Path
    size: int
    backend: str
    revision: str | None


def backup(database_url: str, path: Path) -> BackupResult:
    """Write a backup of the database at `database_url` to `path` (which must not exist)."""
    url = make_url(database_url)
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name (nothing overwritten)")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    tmp = path.with_name(f".{path.name}.partial")
    tmp.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_file(url), tmp)
        elif url.get_backend_name() == "postgresql":
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp)],
                url,
            )
        else:
            raise BackupError(f"no backup method for {url.get_backend_name()} databases")
        os.chmod(tmp, 0o600)  # answers and e-mail addresses: readable by the owner only
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(path, path.stat().st_size, url.get_backend_name(), _revision(url))


def restore(database_url: str, path: Path) -> BackupResult:
    """Restore the backup at `path` into the EMPTY database at `database_url`."""
    url = make_url(database_url)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    magic = _head(path)
    backend = url.get_backend_name()
    expected = {"sqlite": SQLITE_MAGIC, "postgresql": PG_MAGIC}.get(backend)
    if expected is None:
        raise BackupError(f"no restore method for {backend} databases")
    if not magic.startswith(expected):
        kind = (
            "a SQLite"
            if magic.startswith(SQLITE_MAGIC)
            else ("a PostgreSQL (pg_dump custom)" if magic.startswith(PG_MAGIC) else "not a")
        )
        raise BackupError(f"{path} is {kind} backup; the database is {backend}")
    _refuse_non_empty(url)
    if backend == "sqlite":
        _sqlite_restore(path, _sqlite_file(url, must_exist=False))
    else:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                str(path),
            ],
            url,
            target="--dbname",
        )
    return BackupResult(path, path.stat().st_size, backend, _revision(url))


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def _sqlite_file(url: URL, must_exist: bool = True) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    file = Path(url.database)
    if must_exist and not file.is_file():
        raise BackupError(f"{file}: no such database file")
    return file


def _sqlite_backup(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # one step: a consistent snapshot; writers go on meanwhile (WAL)
        (check,) = dst.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()


def _sqlite_restore(backup_file: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        (check,) = src.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"{backup_file} failed its integrity check: {check}")
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()


def _refuse_non_empty(url: URL) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            f"the database {url.render_as_string(hide_password=True)} is not empty "
            f"({len(tables)} tables): restore only into a new, empty database"
        )


def _revision(url: URL) -> str | None:
    from surveyapp.database import engine_for_url
    from surveyapp.services import migrations

    engine = engine_for_url(url.render_as_string(hide_password=False))
    try:
        return migrations.current_revision(engine)
    finally:
        engine.dispose()


def _run(args: list[str], url: URL, target: str = "--dbname") -> None:
    """Run a PostgreSQL client tool on the database of `url` (password in the environment)."""
    program = shutil.which(args[0])
    if program is None:
        raise BackupError(f"{args[0]} not found: install the PostgreSQL client tools")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq = url.set(drivername="postgresql", password=None).render_as_string()
    result = subprocess.run(  # noqa: S603 - fixed program, no shell
        [program, *args[1:], f"{target}={libpq}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{args[0]} failed: {lines[-1] if lines else result.returncode}")
