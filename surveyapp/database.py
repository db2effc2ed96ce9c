"""The SQLAlchemy engine and a session scoped to the Flask application context."""

from __future__ import annotations

import logging
import select
import sqlite3
import time
from typing import Any

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("surveyapp.database")

#: A pooled PostgreSQL connection unused for longer than this is pinged (a round trip) before
#: use; one used more recently is only checked locally (see `_check_on_checkout`).
PING_AFTER_IDLE_SECONDS = 10.0


def engine_for_url(url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 5) -> Engine:
    """Create an engine with the settings this app relies on for each backend."""
    parsed = make_url(url)
    # Bound parameters hold answers and e-mail addresses: never put them in an exception's text
    # (it reaches the logs when an error escapes).
    kwargs: dict[str, Any] = {"hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": busy_timeout_ms / 1000}
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    kwargs.update(pool_size=pool_size, max_overflow=pool_size)
    engine = create_engine(parsed, **kwargs)
    _check_on_checkout(engine)
    return engine


def _check_on_checkout(engine: Engine) -> None:
    """Never hand out a pooled connection the server has closed (a restart, a terminated
    backend, an idle timeout), as `pool_pre_ping` would, without its round trip on every
    checkout (two per respondent page cycle, 5 % of its CPU on PostgreSQL).

    A server that closes a connection tells the client: the backend sends its FATAL message
    and the kernel its FIN, so the idle socket turns readable. An idle connection has nothing
    to read otherwise (this app does not LISTEN), so a readable socket means a dead
    connection, checked locally. A connection unused for `PING_AFTER_IDLE_SECONDS` is pinged
    as well, for what no packet announces (a middlebox that dropped it silently). Raising
    `DisconnectionError` here makes the pool replace the connection and check out again, as
    after a failed pre-ping; a database that is down raises the connect error instead, which
    the error handlers turn into a polite 503."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):  # pragma: no cover - every PostgreSQL test
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy):  # pragma: no cover - every PostgreSQL test
        if _closed_by_server(dbapi_conn):
            raise DisconnectionError("the server closed this pooled connection")
        idle = time.monotonic() - record.info.get("checked_in_at", time.monotonic())
        if idle > PING_AFTER_IDLE_SECONDS:
            try:
                engine.dialect.do_ping(dbapi_conn)
            except engine.dialect.loaded_dbapi.Error as exc:
                raise DisconnectionError("a ping of an idle pooled connection failed") from exc


def _closed_by_server(dbapi_conn: Any) -> bool:
    """The driver knows the connection is closed or broken, or its idle socket has something
    to read (the server's goodbye, or the end of the stream)."""
    if dbapi_conn.closed or getattr(dbapi_conn, "broken", False):
        return True
    readable, _, failed = select.select([dbapi_conn.fileno()], [], [dbapi_conn.fileno()], 0)
    return bool(readable or failed)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, NORMAL durability and enforced foreign keys on every connection."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every SQLite test
        # Let SQLAlchemy issue BEGIN itself so that "BEGIN IMMEDIATE" can be used for writes.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every SQLite test
        # Writers take the lock at BEGIN (IMMEDIATE): a deferred transaction that later upgrades
        # to a writer fails at once with SQLITE_BUSY instead of waiting for the busy timeout.
        # Sent on the driver's connection: through `exec_driver_sql` (statement events, a
        # cursor, a result) it cost 4 % of a respondent's page cycle for a fixed word. Its
        # errors (a lock held past the busy timeout) are raised as SQLAlchemy's, as there.
        options = conn.get_execution_options()
        if options.get("sqlite_no_begin"):  # transaction.read_only: each statement on its own
            return
        statement = "BEGIN IMMEDIATE" if options.get("sqlite_immediate") else "BEGIN"
        try:
            conn.connection.driver_connection.execute(statement)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(
                statement, None, exc, sqlite3.Error, hide_parameters=True, dialect=conn.dialect
            ) from exc


class Database:
    """Holds the engine and hands out one session per application context."""

    def __init__(self) -> None:
        self._engines: dict[int, Engine] = {}
        self._factories: dict[int, sessionmaker[Session]] = {}

    def init_app(self, app: Flask) -> None:
        """Create the engine from the app config and close sessions at teardown."""
        engine = engine_for_url(
            app.config["DATABASE_URL"],
            busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
            pool_size=app.config["DB_POOL_SIZE"],
        )
        self._engines[id(app)] = engine
        self._factories[id(app)] = sessionmaker(engine, expire_on_commit=False)
        app.extensions["surveyapp.db"] = self
        app.teardown_appcontext(self._teardown)

    def engine_for(self, app: Flask) -> Engine:
        """The engine bound to `app`."""
        return self._engines[id(app)]

    @property
    def engine(self) -> Engine:
        """The engine of the current app."""
        from flask import current_app

        return self.engine_for(current_app._get_current_object())  # type: ignore[attr-defined]  # werkzeug proxy

    @property
    def session(self) -> Session:
        """The session of the current application context, created on first use."""
        from flask import current_app

        session = g.get("_db_session")
        if session is None:
            app = current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug proxy
            session = self._factories[id(app)]()
            g._db_session = session
        return session

    def reset_after_error(self) -> None:
        """Roll back what a failed request left open (a statement the database refused), so
        the error page can still read. Error handlers call this instead of ending the
        transaction themselves: transactions are the services' and this module's business."""
        session = g.get("_db_session")
        if session is not None:
            session.rollback()

    def _teardown(self, _exc: BaseException | None) -> None:
        session = g.pop("_db_session", None)
        if session is None:
            return
        try:
            session.close()
        except DBAPIError as exc:
            # The closing ROLLBACK failed: the server went away (restart, failover) after the
            # response was made. Raised here, outside every error handler, it would replace
            # that response with a bare 500. Services commit their own work, so nothing is
            # lost: the dead connection is dropped (and replaced at the next checkout).
            log.warning("event=session_close_failed error=%s", type(exc.orig).__name__)
            session.invalidate()

    def dispose(self, app: Flask) -> None:
        """Release the pooled connections of `app` (tests, forked workers)."""
        engine = self._engines.pop(id(app), None)
        self._factories.pop(id(app), None)
        if engine is not None:
            engine.dispose()
