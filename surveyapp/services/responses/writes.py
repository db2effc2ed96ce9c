"""The optimistic write of a response: one `UPDATE ... SET <changes>, revision = <read> + 1
WHERE revision = <read>` and commit; or find that a concurrent twin of the post won, and go
where it went. A write that must hold the row before its last step (quota claims) takes it
first (`take_response`), then writes the changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from surveyapp.models import Response, utcnow
from surveyapp.services.responses.context import ResponseContext, where_respondent_is
from surveyapp.services.responses.contract import Redirect
from surveyapp.services.sqlutil import affected


def take_response(session: Session, ctx: ResponseContext) -> bool:
    """Take the response for this transaction: `UPDATE ... SET revision = revision + 1 WHERE
    revision = <read>`. The row stays locked until commit, so a concurrent twin of this post
    waits here, then finds the revision moved on and changes nothing."""
    response = ctx.response
    assert response is not None
    result = session.execute(
        update(Response)
        .where(Response.id == response.id, Response.revision == response.revision)
        .values(revision=response.revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return affected(result) == 1


def lost_race(session: Session, ctx: ResponseContext) -> Redirect:
    """Another request changed the response first: nothing stored, go where it is now."""
    assert ctx.response is not None
    response_id = ctx.response.id
    session.rollback()
    ctx.response = session.get(Response, response_id)
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
    statement = update(Response).where(Response.id == response.id)
    if not locked:
        statement = statement.where(Response.revision == response.revision)
        changes = {**changes, "revision": response.revision + 1, "updated_at": utcnow()}
    result = session.execute(
        statement.values(**changes).execution_options(synchronize_session=False)
    )
    if not locked and affected(result) != 1:
        return lost_race(session, ctx)
    session.commit()
    return redirect


def with_token(redirect: Redirect, token: str) -> Redirect:
    """The same redirect, setting `token` as the respondent's cookie."""
    return Redirect(redirect.target, redirect.page_id, redirect.url, redirect.query, token)
