"""A pooled PostgreSQL connection the server closed is never handed out (surveyapp.database
checks each checkout locally, and pings a connection that sat idle): the request that gets
it runs on a new connection instead of failing. PostgreSQL only."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from surveyapp import database
from surveyapp.database import engine_for_url
from tests.faults.helpers import skip_unless_postgres

pytestmark = pytest.mark.db


@pytest.fixture
def engine(database_url):
    skip_unless_postgres()
    engine = engine_for_url(database_url, pool_size=1)
    yield engine
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def test_a_connection_the_server_closed_is_replaced_at_checkout(engine, database_url, monkeypatch):
    pid = _backend(engine)
    admin = engine_for_url(database_url)
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # the backend is gone once pg_stat_activity no longer lists it
        for _ in range(200):
            gone = not conn.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
            conn.rollback()
            if gone:
                break
    admin.dispose()
    assert gone
    pings: list[object] = []
    original = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or original(c))
    assert _backend(engine) != pid  # no error: the dead connection was replaced
    assert pings == []  # seen locally, without a round trip


def test_a_connection_idle_past_the_threshold_is_pinged(engine, monkeypatch):
    _backend(engine)
    pings: list[object] = []
    original = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or original(c))
    _backend(engine)
    assert pings == []  # used a moment ago: checked locally only
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", -1.0)
    pid = _backend(engine)
    assert len(pings) == 1
    assert _backend(engine) == pid  # the ping passed: the same connection
