"""Responses for the study team: filtered listing, erasure (GDPR) and retention purge.

Deleting a response releases its quota slots in the same transaction: each claimed cell's
`completes` goes down by the number of deleted claims on it (one UPDATE, cells locked in id
order), then the claims and the responses go. The admin deletion and `surveyapp purge` share
`delete_responses`. Audit events say which response and why, never what it contained.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import ColumnElement, and_, case, delete, func, select, update
from sqlalchemy.orm import Session

from surveyapp.models import QuotaCell, QuotaClaim, Response, ResultsCache, Survey, utcnow
from surveyapp.services.audit import Actor, record
from surveyapp.services.sqlutil import affected
from surveyapp.services.transaction import begin_write

PAGE_SIZE = 50
PURGE_BATCH = 1000


class ResponseAdminError(ValueError):
    """A user-facing problem with a response or survey setting."""


@dataclass(frozen=True, slots=True)
class ResponseFilter:
    """What the response list shows; None means "any"."""

    status: str | None = None
    language: str | None = None
    source: str | None = None
    #: Started at or after / strictly before (aware datetimes: the view applies the timezone).
    started_from: datetime | None = None
    started_before: datetime | None = None
    #: "real" (default list), "test", or None for both.
    test: str | None = None


@dataclass(frozen=True, slots=True)
class ResponsePage:
    """One page of the response list."""

    items: list[Response]
    total: int
    page: int
    pages: int


def _source_expr() -> ColumnElement[str]:
    source: ColumnElement[str] = Response.params["source"].as_string()
    return source


def _filtered(survey: Survey, flt: ResponseFilter) -> ColumnElement[bool]:
    conditions = [Response.survey_id == survey.id]
    if flt.status:
        conditions.append(Response.status == flt.status)
    if flt.language:
        conditions.append(Response.language == flt.language)
    if flt.source:
        conditions.append(_source_expr() == flt.source)
    if flt.started_from:
        conditions.append(Response.started_at >= flt.started_from)
    if flt.started_before:
        conditions.append(Response.started_at < flt.started_before)
    if flt.test == "real":
        conditions.append(Response.is_test.is_(False))
    elif flt.test == "test":
        conditions.append(Response.is_test.is_(True))
    return and_(*conditions)


def list_responses(
    session: Session,
    survey: Survey,
    flt: ResponseFilter,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> ResponsePage:
    """The responses matching `flt`, newest first, one page at a time."""
    where = _filtered(survey, flt)
    total = session.scalar(select(func.count(Response.id)).where(where)) or 0
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    items = session.scalars(
        select(Response)
        .where(where)
        .order_by(Response.started_at.desc(), Response.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return ResponsePage(list(items), total, page, pages)


def filter_choices(session: Session, survey: Survey) -> dict[str, list[str]]:
    """Languages and recruitment sources seen in a survey's responses (for the filter form)."""
    languages = session.scalars(
        select(Response.language).where(Response.survey_id == survey.id).distinct()
    ).all()
    sources = session.scalars(
        select(_source_expr()).where(Response.survey_id == survey.id).distinct()
    ).all()
    return {
        "languages": sorted(lang for lang in languages if lang),
        "sources": sorted(str(src) for src in sources if src not in (None, "")),
    }


def get_response(session: Session, survey: Survey, response_id: int) -> Response | None:
    """A response of this survey, or None."""
    response = session.get(Response, response_id)
    return response if response is not None and response.survey_id == survey.id else None


def release_and_delete(session: Session, response_ids: list[int]) -> int:
    """Release the quota slots of these responses and delete them; returns cells released.

    Runs inside the caller's writer transaction (the caller commits). Cells are locked first
    (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers) in
    `cell_id` order like `services.quotas.claim`, so a purge cannot deadlock a finish.
    """
    if not response_ids:
        return 0
    claimed = select(QuotaClaim.cell_id).where(QuotaClaim.response_id.in_(response_ids))
    cell_ids = session.scalars(
        select(QuotaCell.id)
        .where(QuotaCell.id.in_(claimed))
        .order_by(QuotaCell.id)
        .with_for_update()
    ).all()
    released = 0
    if cell_ids:
        per_cell = (
            select(func.count())
            .where(QuotaClaim.cell_id == QuotaCell.id, QuotaClaim.response_id.in_(response_ids))
            .scalar_subquery()
        )
        session.execute(
            update(QuotaCell)
            .where(QuotaCell.id.in_(cell_ids))
            .values(
                # Never below zero, even on counters someone edited by hand.
                completes=case(
                    (QuotaCell.completes >= per_cell, QuotaCell.completes - per_cell), else_=0
                ),
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        released = (
            affected(
                session.execute(delete(QuotaClaim).where(QuotaClaim.response_id.in_(response_ids)))
            )
            or 0
        )
    # Shared results tables may hold figures counting these responses: forget them.
    session.execute(
        delete(ResultsCache).where(
            ResultsCache.survey_id.in_(
                select(Response.survey_id).where(Response.id.in_(response_ids))
            )
        )
    )
    session.execute(
        delete(Response)
        .where(Response.id.in_(response_ids))
        .execution_options(synchronize_session=False)
    )
    return released


def delete_response(session: Session, survey: Survey, response_id: int, actor: Actor) -> int:
    """Erase one response (GDPR request) and release its quota slots. Commits.

    Returns the number of quota slots released. The audit event keeps the id and status only.
    """
    survey_id, slug = survey.id, survey.slug
    begin_write(session)
    response = session.get(Response, response_id)
    if response is None or response.survey_id != survey_id:
        session.rollback()
        raise ResponseAdminError("no such response")
    status, is_test = response.status, response.is_test
    released = release_and_delete(session, [response_id])
    record(
        session,
        actor,
        "response.delete",
        survey_id=survey_id,
        target=str(response_id),
        details={
            "survey": slug,
            "status": status,
            "test": is_test,
            "quota_slots_released": released,
        },
    )
    session.commit()
    return released


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What one survey's purge did."""

    slug: str
    retention_days: int
    deleted: int
    released: int


def purge_expired(
    session: Session,
    actor: Actor,
    now: datetime | None = None,
    batch_size: int = PURGE_BATCH,
    max_batches: int | None = None,
) -> list[PurgeResult]:
    """Delete responses older than their survey's retention (last activity before the cutoff).

    Works in batches of `batch_size`, one transaction each, so a long purge never holds the
    write lock for long; running it twice deletes nothing the second time.
    """
    now = now or utcnow()
    surveys = session.execute(
        select(Survey.id, Survey.slug, Survey.retention_days)
        .where(Survey.retention_days.is_not(None))
        .order_by(Survey.slug)
    ).all()
    results = []
    for survey_id, slug, days in surveys:
        cutoff = now - timedelta(days=days or 0)  # the query keeps retention_days set
        last_activity = func.coalesce(Response.completed_at, Response.updated_at)
        deleted = released = batches = 0
        while max_batches is None or batches < max_batches:
            begin_write(session)
            ids = session.scalars(
                select(Response.id)
                .where(Response.survey_id == survey_id, last_activity < cutoff)
                .order_by(Response.id)
                .limit(batch_size)
            ).all()
            if not ids:
                session.rollback()
                break
            released += release_and_delete(session, list(ids))
            deleted += len(ids)
            batches += 1
            session.commit()
        if deleted:
            begin_write(session)
            record(
                session,
                actor,
                "response.purge",
                survey_id=survey_id,
                target=slug,
                details={
                    "deleted": deleted,
                    "quota_slots_released": released,
                    "retention_days": days,
                    "cutoff": cutoff.isoformat(),
                },
            )
            session.commit()
        results.append(PurgeResult(slug, days or 0, deleted, released))
    return results


def set_retention(session: Session, survey: Survey, days: int | None, actor: Actor) -> Survey:
    """Set how many days responses are kept (None: until deleted by hand). Commits."""
    if days is not None and not 1 <= days <= 36500:
        raise ResponseAdminError("retention must be between 1 and 36500 days")
    begin_write(session)
    previous = survey.retention_days
    survey.retention_days = days
    record(
        session,
        actor,
        "survey.retention",
        survey_id=survey.id,
        target=survey.slug,
        details={"from": previous, "to": days},
    )
    session.commit()
    return survey


def set_window(
    session: Session,
    survey: Survey,
    opens_at: datetime | None,
    closes_at: datetime | None,
    actor: Actor,
) -> Survey:
    """Set the fieldwork window (either end may be open). Commits."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise ResponseAdminError("the closing date must come after the opening date")
    begin_write(session)
    survey.opens_at, survey.closes_at = opens_at, closes_at
    record(
        session,
        actor,
        "survey.window",
        survey_id=survey.id,
        target=survey.slug,
        details={
            "opens_at": opens_at.isoformat() if opens_at else None,
            "closes_at": closes_at.isoformat() if closes_at else None,
        },
    )
    session.commit()
    return survey
