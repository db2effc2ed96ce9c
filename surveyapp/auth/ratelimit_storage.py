"""A fixed-window rate-limit counter in a small SQLite file, shared by every worker of one host.

`limits` (Flask-Limiter's backend) keeps counters in memory by default: each gunicorn worker then
has its own budget and "10 per minute" becomes "10 per minute per worker". Redis fixes that but
is one more service; a single-host SQLite deployment has a file system instead. This storage
registers the `surveyapp+sqlite` scheme:

    SURVEYAPP_RATELIMIT_STORAGE_URL=surveyapp+sqlite:////var/lib/surveyapp/ratelimit.sqlite

Use a file of its own, never the app's database (its table is not part of our migrations).
Keys are stored as SHA-256 digests, so the file holds no e-mail address; expired rows are
deleted as they are met and by a sweep every few hundred increments.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from limits.storage import Storage

SCHEME = "surveyapp+sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ratelimit_counters ("
    " key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL)"
)
_SWEEP_EVERY = 500


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class SQLiteWindowStorage(Storage):
    """`limits` storage for the fixed-window strategy on a SQLite file (WAL, BEGIN IMMEDIATE)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        path = urlparse(uri).path
        if not path or path == "/":
            raise ValueError(f"{SCHEME}:// needs a file path, e.g. {SCHEME}:////srv/rl.sqlite")
        self.path = Path(path)
        self.timeout = float(options.get("timeout", 5.0))
        self._local = threading.local()
        self._increments = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _conn(self) -> sqlite3.Connection:
        # One connection per thread and per process (a forked worker must not reuse its parent's).
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add `amount` to the key's window, opening a new window of `expiry` s if none is live."""
        now = time.time()
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            (count,) = conn.execute(
                "INSERT INTO ratelimit_counters (key, count, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET "
                " count = CASE WHEN expires_at <= ? THEN excluded.count ELSE count + ? END,"
                " expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at"
                " ELSE expires_at END "
                "RETURNING count",
                (_digest(key), amount, now + expiry, now, amount, now),
            ).fetchone()
            self._increments += 1
            if self._increments % _SWEEP_EVERY == 0:
                conn.execute("DELETE FROM ratelimit_counters WHERE expires_at <= ?", (now,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(count)

    def get(self, key: str) -> int:
        """The count of the key's live window (0 when none)."""
        row = (
            self._conn()
            .execute(
                "SELECT count FROM ratelimit_counters WHERE key = ? AND expires_at > ?",
                (_digest(key), time.time()),
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (now when there is none)."""
        now = time.time()
        row = (
            self._conn()
            .execute(
                "SELECT expires_at FROM ratelimit_counters WHERE key = ? AND expires_at > ?",
                (_digest(key), now),
            )
            .fetchone()
        )
        return float(row[0]) if row else now

    def check(self) -> bool:
        """True when the file can be read."""
        try:
            self._conn().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        return self._conn().execute("DELETE FROM ratelimit_counters").rowcount

    def clear(self, key: str) -> None:
        """Forget one counter."""
        self._conn().execute("DELETE FROM ratelimit_counters WHERE key = ?", (_digest(key),))
