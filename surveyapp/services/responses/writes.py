"""The optimistic write of a response: one `UPDATE ... SET <changes>, revision = <read> + 1
WHERE revision = <read>` and commit; or find that a concurrent twin of the post won, and go
where it went. A write that must hold the row before its last step (quota claims) takes it
first (`take_response`), then writes the changes.

The UPDATEs are Core statements on the responses table, built once at import: a request only
binds values (the SET clause follows the keys bound, and the compiled form is cached per set
of keys). The ORM's UPDATE would rebuild the statement and resolve every key through the
mapper on each page; neither touches the session's identity map. They run on the session's
connection (its transaction), not through `Session.execute`, whose ORM layer (options,
events, bind lookup) a Core statement does not need: 20-40 µs a statement on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from surveyapp.models import Response, table_of, utcnow
from surveyapp.services.responses.context import (
    ResponseContext,
    ResponseRecord,
    where_respondent_is,
)
from surveyapp.services.responses.contract import Redirect
from surveyapp.services.sqlutil import affected

_RESPONSES = table_of(Response)
#: Columns a write may set (the WHERE clause binds `_id` and `_revision`, never a column).
WRITABLE = frozenset(_RESPONSES.c.keys()) - {"id"}
#: The revision-guarded write: matches nothing when a concurrent twin moved the revision on.
_GUARDED = update(_RESPONSES).where(
    _RESPONSES.c.id == bindparam("_id"), _RESPONSES.c.revision == bindparam("_revision")
)
#: The write of a response this transaction already holds (`take_response`).
_LOCKED = update(_RESPONSES).where(_RESPONSES.c.id == bindparam("_id"))


def take_response(session: Session, ctx: ResponseContext) -> bool:
    """Take the response for this transaction: `UPDATE ... SET revision = revision + 1 WHERE
    revision = <read>`. The row stays locked until commit, so a concurrent twin of this post
    waits here, then finds the revision moved on and changes nothing."""
    response = ctx.response
    assert response is not None
    values = {"revision": response.revision + 1, "updated_at": utcnow()}
    result = session.connection().execute(
        _GUARDED, {**values, "_id": response.id, "_revision": response.revision}
    )
    return affected(result) == 1


def lost_race(session: Session, ctx: ResponseContext) -> Redirect:
    """Another request changed the response first: nothing stored, go where it is now."""
    assert ctx.response is not None
    response_id = ctx.response.id
    session.rollback()
    found = session.get(Response, response_id)
    ctx.response = ResponseRecord.of(found) if found is not None else None
    return where_respondent_is(ctx)


def write_changes(
    session: Session,
    ctx: ResponseContext,
    changes: dict[str, Any],
    redirect: Redirect,
    locked: bool = False,
) -> Redirect:
    """Write the changes to the response and commit: one UPDATE that also moves the revision
    on, guarded by the revision read (a concurrent twin of this post waits on the row, then
    matches nothing and goes where the winner went); only the changes when `locked` (taken
    by `take_response` in this transaction)."""
    response = ctx.response
    assert response is not None
    unknown = changes.keys() - WRITABLE
    if unknown:  # a Core UPDATE would ignore a key that names no column: refuse it instead
        raise ValueError(f"not a writable column of responses: {sorted(unknown)}")
    if locked:
        result = session.connection().execute(_LOCKED, {**changes, "_id": response.id})
    else:
        values = {**changes, "revision": response.revision + 1, "updated_at": utcnow()}
        params = {**values, "_id": response.id, "_revision": response.revision}
        result = session.connection().execute(_GUARDED, params)
    if not locked and affected(result) != 1:
        return lost_race(session, ctx)
    session.commit()
    return redirect


def with_token(redirect: Redirect, token: str) -> Redirect:
    """The same redirect, setting `token` as the respondent's cookie."""
    return Redirect(redirect.target, redirect.page_id, redirect.url, redirect.query, token)
