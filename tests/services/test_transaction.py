"""The services' transaction helper: commit at the end, roll back on error, retry what
PostgreSQL aborted as retryable (serialization failure, deadlock), and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from surveyapp.extensions import db
from surveyapp.models import Survey
from surveyapp.services import transaction
from surveyapp.services.transaction import retrying, transactional, write_transaction
from tests.support.transactions import driver_in_transaction


class _DriverError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def _aborted(sqlstate: str | None) -> DBAPIError:
    return DBAPIError("UPDATE t SET x = 1", {}, _DriverError(sqlstate))


def _stored(app) -> list[str]:
    """The survey slugs another connection sees (what was really committed)."""
    with db.engine_for(app).connect() as conn:
        return list(conn.scalars(select(Survey.slug).order_by(Survey.slug)))


@pytest.fixture
def pauses(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(transaction.time, "sleep", slept.append)
    return slept


def test_a_write_transaction_commits_when_its_block_ends(app, session):
    with write_transaction(session):
        session.add(Survey(slug="kept"))
    assert _stored(app) == ["kept"]
    assert not session.in_transaction()


def test_a_write_transaction_rolls_back_when_its_block_raises(app, session):
    def refused_change() -> None:
        with write_transaction(session):
            session.add(Survey(slug="dropped"))
            session.flush()
            raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        refused_change()
    assert _stored(app) == []
    # The session is usable at once: nothing for the caller to undo.
    assert session.scalar(select(func.count(Survey.id))) == 0


def test_begin_write_drops_the_read_snapshot_taken_before(app, session):
    session.add(Survey(slug="pending"))
    session.flush()
    transaction.begin_write(session)
    assert session.in_transaction()
    assert session.scalar(select(func.count(Survey.id))) == 0


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
def test_retryable_aborts_run_the_use_case_again(session, pauses, sqlstate):
    calls = []

    def work() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _aborted(sqlstate)
        return "done"

    assert retrying(session, work) == "done"
    assert len(calls) == 3
    assert len(pauses) == 2
    assert all(0 < p <= 0.1 for p in pauses)


@pytest.mark.parametrize("sqlstate", ["23505", "22P02", None])
def test_other_database_errors_are_raised_at_once(session, pauses, sqlstate):
    calls = []

    def work() -> None:
        calls.append(1)
        raise _aborted(sqlstate)

    with pytest.raises(DBAPIError):
        retrying(session, work)
    assert len(calls) == 1
    assert pauses == []


def test_retries_are_bounded(session, pauses):
    calls = []

    def work() -> None:
        calls.append(1)
        raise _aborted("40001")

    with pytest.raises(DBAPIError):
        retrying(session, work, attempts=4)
    assert len(calls) == 4
    assert len(pauses) == 3


def test_a_transactional_service_commits_rolls_back_and_retries(app, session, pauses):
    attempts = []

    @transactional
    def add(session, slug: str, fail_first: int = 0, refuse: bool = False) -> str:
        attempts.append(slug)
        session.add(Survey(slug=slug))
        session.flush()
        if refuse:
            raise ValueError("refused")
        if attempts.count(slug) <= fail_first:
            raise _aborted("40P01")
        return slug

    assert add(session, "first") == "first"
    with pytest.raises(ValueError, match="refused"):
        add(session, "refused", refuse=True)
    assert add(session, "retried", fail_first=2) == "retried"
    assert attempts.count("retried") == 3
    assert _stored(app) == ["first", "retried"]


def test_begin_write_refuses_to_drop_unsaved_changes(app, session):
    """Beginning a write ends the read snapshot with a rollback; unsaved changes made before
    it would vanish without a word, so begin_write refuses and says why."""
    with write_transaction(session):
        session.add(Survey(slug="stored"))
    survey = session.scalar(select(Survey).where(Survey.slug == "stored"))
    survey.slug = "renamed"
    with pytest.raises(transaction.PendingChangesError, match="changed Survey"):
        transaction.begin_write(session)
    session.rollback()
    session.add(Survey(slug="new"))
    with pytest.raises(transaction.PendingChangesError, match="new Survey"):
        write_transaction(session).__enter__()
    session.rollback()
    assert _stored(app) == ["stored"]
    # Setting an attribute to the value it already has is no pending change.
    survey = session.scalar(select(Survey).where(Survey.slug == "stored"))
    survey.slug = "stored"
    with write_transaction(session):
        session.add(Survey(slug="after"))
    assert _stored(app) == ["after", "stored"]


def _driver_in_transaction(session) -> bool:
    """Whether the driver's connection under the session has a transaction open."""
    return driver_in_transaction(session.connection())


def test_read_only_reads_without_a_transaction_until_a_write_begins(app, session):
    with write_transaction(session):
        session.add(Survey(slug="kept"))
    transaction.read_only(session)
    assert session.scalar(select(Survey.slug)) == "kept"
    assert not _driver_in_transaction(session)  # no BEGIN sent, so no ROLLBACK to send
    # A write after it is a normal writer transaction, committed as one.
    with write_transaction(session):
        session.add(Survey(slug="second"))
        session.flush()
        assert _driver_in_transaction(session)
    assert _stored(app) == ["kept", "second"]


def test_read_only_inside_an_open_transaction_changes_nothing(app, session):
    transaction.begin_write(session)
    session.add(Survey(slug="pending"))
    session.flush()
    transaction.read_only(session)
    assert _driver_in_transaction(session)
    session.rollback()
    assert _stored(app) == []


def test_write_from_here_after_autocommit_reads_begins_one_writer_transaction(app, session):
    transaction.begin_autocommit(session)
    assert session.scalar(select(func.count(Survey.id))) == 0
    assert not _driver_in_transaction(session)
    transaction.write_from_here(session)
    session.add(Survey(slug="first"))
    session.flush()
    assert _driver_in_transaction(session)
    # Inside the writer transaction it began, it keeps it: the flushed row is not rolled back.
    transaction.write_from_here(session)
    session.add(Survey(slug="second"))
    session.commit()
    assert _stored(app) == ["first", "second"]


def test_begin_autocommit_refuses_to_drop_unsaved_changes(app, session):
    session.add(Survey(slug="unsaved"))
    with pytest.raises(transaction.PendingChangesError):
        transaction.begin_autocommit(session)
