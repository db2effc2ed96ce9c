"""Continuing on another device with the continue-later code, and withdrawing a finished
response with its withdrawal code.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveyapp.models import Response, ResultsCache
from surveyapp.services import quotas, surveys
from surveyapp.services.audit import RESPONDENT, record
from surveyapp.services.responses.codes import new_token, normalise_code, secret_hash
from surveyapp.services.responses.context import load_context, where_respondent_is
from surveyapp.services.responses.contract import Redirect, SurveyNotFound
from surveyapp.services.responses.writes import with_token, write_changes
from surveyapp.services.transaction import begin_write


def resume(session: Session, slug: str, code: str | None) -> Redirect | None:
    """Exchange a continue-later code for a new token on this device. Commits.

    The code works once: the response gets a fresh token, so a code copied into a link or an
    e-mail cannot be replayed. None when the code matches no response of this survey.
    """
    token = normalise_code(code)
    if token is None:
        return None
    begin_write(session)
    ctx = load_context(session, slug, token)
    if ctx.response is None:
        session.rollback()
        return None
    fresh = new_token()
    redirect = write_changes(
        session, ctx, {"token_hash": secret_hash(fresh)}, where_respondent_is(ctx)
    )
    return with_token(redirect, fresh) if ctx.response is not None else None


def withdraw(session: Session, slug: str, code: str | None) -> bool:
    """Delete a finished response by its withdrawal code; its quota slots are released in
    the same transaction. Commits. False when the code matches nothing."""
    normalised = normalise_code(code)
    if normalised is None:
        return False
    begin_write(session)
    survey = surveys.get_survey(session, slug)
    if survey is None:
        raise SurveyNotFound(slug)
    response_id = session.scalar(
        select(Response.id).where(
            Response.survey_id == survey.id,
            Response.withdrawal_hash == secret_hash(normalised),
        )
    )
    if response_id is None:
        session.rollback()
        return False
    released = quotas.release(session, response_id)
    session.execute(delete(Response).where(Response.id == response_id))
    # Shared results tables may hold figures counting this response: forget them.
    session.execute(delete(ResultsCache).where(ResultsCache.survey_id == survey.id))
    record(
        session,
        RESPONDENT,
        "response.withdraw",
        survey_id=survey.id,
        target=str(response_id),
        details={"quota_slots_released": released},
    )
    session.commit()
    return True
