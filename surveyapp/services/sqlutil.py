"""Small typed helpers for the services' SQLAlchemy calls.

SQLAlchemy types `Session.execute` as returning a `Result` whatever the statement, and
`Session.get_bind` as an engine or a connection; these helpers say what the services rely on
(an UPDATE/DELETE returns a `CursorResult` with a row count; the app's sessions are bound to
an engine) so that the type checker follows without `# type: ignore`.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Engine, Result
from sqlalchemy.orm import Session

T = TypeVar("T")


def affected(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE executed through a session."""
    return cast("CursorResult[Any]", result).rowcount


def bound_engine(session: Session) -> Engine:
    """The engine the session is bound to (the app binds its sessions to an engine)."""
    return cast(Engine, session.get_bind())


def present(value: T | None, what: str) -> T:
    """A row the caller just locked or created: it exists, or the invariant is broken."""
    if value is None:
        raise LookupError(f"{what} is gone")
    return value
