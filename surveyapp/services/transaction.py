"""Where a write transaction starts and ends: in a service, never in a view.

A use case that writes calls `begin_write` (or opens `write_transaction`) at the point its
writing starts; the slow read part before it (argon2, compiling a schema) holds no lock.
`begin_write` drops any read snapshot the request took before (views read freely with
`db.session`) and begins a writer transaction: BEGIN IMMEDIATE on SQLite, so two writers
queue at BEGIN instead of one failing with SQLITE_BUSY when it upgrades; a plain BEGIN on
PostgreSQL. `write_transaction` also commits when its block ends and rolls back when it
raises, so a refused change (a service error) leaves nothing behind for the caller to undo.

`begin_autocommit` runs a use case's statements without a transaction (no BEGIN, no COMMIT or
ROLLBACK): for reads (`read_only`) and for a use case whose one write is atomic on its own; one
that goes on to write more begins its writer transaction there (`write_from_here`).

`transactional` puts a whole service function in one such transaction, retried as below.

`retrying` runs a whole use case again when PostgreSQL aborts it with a serialization
failure (SQLSTATE 40001) or a deadlock (40P01): both mean "nothing was stored, try again",
and a retry after a short random pause almost always succeeds. SQLite never reports them.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

log = logging.getLogger("surveyapp.transaction")

#: How many times a use case runs at most when PostgreSQL keeps aborting it.
RETRIES = 5
#: SQLSTATEs that mean the transaction was aborted as a whole and may simply run again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})

T = TypeVar("T")
P = ParamSpec("P")


class PendingChangesError(RuntimeError):
    """`begin_write` was called with unsaved changes in the session, which its rollback of the
    read snapshot would silently throw away (a programming error in the caller)."""


def pending_changes(session: Session) -> list[str]:
    """What the session holds that is not yet flushed: new, changed or deleted objects."""
    found = [f"new {type(o).__name__}" for o in session.new]
    found += [f"changed {type(o).__name__}" for o in session.dirty if session.is_modified(o)]
    found += [f"deleted {type(o).__name__}" for o in session.deleted]
    return found


def begin_write(session: Session) -> Session:
    """End any read snapshot and begin a writer transaction (BEGIN IMMEDIATE on SQLite).

    Raises `PendingChangesError` when the session holds unsaved changes: ending the snapshot
    rolls back, which would drop them without a word. Make the change after `begin_write`
    (or inside `write_transaction`), not before.
    """
    _end_snapshot(session)
    session.connection(execution_options={"sqlite_immediate": True})
    return session


def _end_snapshot(session: Session) -> None:
    pending = pending_changes(session)
    if pending:
        raise PendingChangesError(
            "ending the read snapshot would roll back unsaved changes ("
            + ", ".join(sorted(set(pending)))
            + "); make changes after the write transaction begins"
        )
    if session.in_transaction():
        session.rollback()


#: The connection options of a session's statements run without a transaction, per dialect:
#: PostgreSQL's autocommit; on SQLite, `surveyapp.database` leaves out its own BEGIN.
_AUTOCOMMIT = {"sqlite": {"sqlite_no_begin": True}}
_AUTOCOMMIT_DEFAULT = {"isolation_level": "AUTOCOMMIT"}


def begin_autocommit(session: Session) -> Session:
    """End any read snapshot (as `begin_write` does) and run the session's next statements
    without a transaction: no BEGIN and no COMMIT or ROLLBACK, each statement its own snapshot
    and, for a write, its own commit.

    For reads that need no snapshot across statements (each sees what was committed when it
    ran, as every statement of a READ COMMITTED transaction on PostgreSQL does anyway), and for
    a use case whose only write is one statement, atomic on its own (a respondent's page:
    one revision-guarded UPDATE). It saves two round trips on PostgreSQL. A use case that
    goes on to write more calls `write_from_here` first. Raises `PendingChangesError` as
    `begin_write` does."""
    _end_snapshot(session)
    options = _AUTOCOMMIT.get(session.get_bind().dialect.name, _AUTOCOMMIT_DEFAULT)
    session.connection(execution_options=options)
    return session


def read_only(session: Session) -> Session:
    """`begin_autocommit` for a use case that only reads (showing a page), when no transaction
    is open; inside one (a page shown again after a refused POST) this does nothing."""
    if session.in_transaction():
        return session
    return begin_autocommit(session)


def write_from_here(session: Session) -> Session:
    """Begin a writer transaction unless `begin_write` began the one open: after the reads of
    `begin_autocommit` (or any read snapshot), before a write of more than one statement.
    What was read before stays valid only as far as the writes check it (a revision guard, a
    unique key)."""
    if session.in_transaction() and session.connection().get_execution_options().get(
        "sqlite_immediate"  # set by begin_write on every dialect (ignored but by SQLite)
    ):
        return session
    return begin_write(session)


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Begin a writer transaction; commit when the block ends, roll back when it raises."""
    begin_write(session)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


def is_retryable(exc: DBAPIError) -> bool:
    """A PostgreSQL serialization failure or deadlock: the work was undone and may run again."""
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def retrying(session: Session, work: Callable[[], T], *, attempts: int = RETRIES) -> T:
    """Run a write use case (`work` begins and commits its own transaction); roll back and run
    it again, after a short random pause growing with each attempt, when PostgreSQL aborts it
    as retryable. Any other error, or the last attempt's, is raised after the rollback."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as exc:
            session.rollback()
            if not is_retryable(exc) or attempt == attempts:
                raise
            sqlstate = getattr(exc.orig, "sqlstate", None)
            log.warning("event=write_retry attempt=%d sqlstate=%s", attempt, sqlstate)
            time.sleep((5 + secrets.randbelow(20)) * attempt / 1000)
    raise AssertionError("unreachable")


def transactional(
    func: Callable[Concatenate[Session, P], T],
) -> Callable[Concatenate[Session, P], T]:
    """Make a service function (its first argument the session) one write use case: begun as
    a writer when called, committed when it returns, rolled back when it raises, and run
    again when PostgreSQL aborts it as retryable (see `retrying`)."""

    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> T:
        def once() -> T:
            with write_transaction(session):
                return func(session, *args, **kwargs)

        return retrying(session, once)

    functools.update_wrapper(run, func)  # its name and docstring; `run` keeps its type
    return run
