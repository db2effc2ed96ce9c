"""Read model of the quota monitoring page and its JSON (no writes here).

Completes come from the cells' counters (what the claims enforce); respondents in progress are
placed in cells with the engine's `quota_cells` on their answers, streamed in batches. Test
responses are left out of every figure. Days are calendar days in the caller's time zone.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.domain import QuotaKind, ResponseStatus
from surveyapp.engine import Survey as Schema
from surveyapp.engine import quota_cells
from surveyapp.exports.columns import language_name
from surveyapp.models import QuotaCell, QuotaClaim, Response, Survey, SurveyVersion
from surveyapp.services import surveys
from surveyapp.services.quota_labels import cell_name as cell_name  # re-exported: admin/quotas.py
from surveyapp.services.quota_labels import code_labels, variable_name

#: The pace used for projections: completes over this many days.
PACE_DAYS = 7
#: Responses in progress are read this many at a time.
BATCH = 500
#: The per-day table keeps the most recent days only.
MAX_DAYS = 120


@dataclass(slots=True)
class CellRow:
    """One quota cell with its figures."""

    quota_id: str
    cell_id: str
    kind: str
    limit: str | None
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    target: int
    completes: int
    is_closed: bool
    in_progress: int = 0
    recent: int = 0
    projected: date | None = None

    @property
    def percent(self) -> int:
        """Completes as a share of the target, in whole percent (may exceed 100)."""
        if self.target <= 0:
            return 100 if self.completes else 0
        return round(100 * self.completes / self.target)

    @property
    def full(self) -> bool:
        """A hard cell that accepts no more completes."""
        return self.kind == QuotaKind.HARD and (self.is_closed or self.completes >= self.target)

    @property
    def met(self) -> bool | None:
        """Soft quotas: at least / at most satisfied (None for hard cells)."""
        if self.kind != QuotaKind.SOFT:
            return None
        if self.limit == "at_most":
            return self.completes <= self.target
        return self.completes >= self.target


@dataclass(slots=True)
class Grid:
    """A two-variable hard quota drawn as a table: rows = first `by`, columns = second."""

    rows: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], CellRow]


@dataclass(slots=True)
class QuotaGroup:
    """One quota of the schema with its cells."""

    quota_id: str
    label: str
    kind: str
    limit: str | None
    by: tuple[str, ...]
    cells: list[CellRow]
    grid: Grid | None = None
    #: The `by` variables' names in the report's language (question text, variable label).
    by_labels: tuple[str, ...] = ()


@dataclass(slots=True)
class Total:
    """Completes, targets and respondents in progress of one country or language."""

    code: str
    label: str
    completes: int = 0
    target: int = 0
    in_progress: int = 0


@dataclass(slots=True)
class QuotaReport:
    """Everything the quota page shows."""

    hard: list[QuotaGroup]
    soft: list[QuotaGroup]
    days: list[tuple[date, int]]
    recent: int
    projected: date | None
    remaining: int
    by_country: list[Total] = field(default_factory=list)
    country_variable: str | None = None
    by_language: list[Total] = field(default_factory=list)
    #: The first variable's name in the report's language.
    country_label: str | None = None

    @property
    def pace(self) -> float:
        """Completes per day over the last PACE_DAYS days."""
        return self.recent / PACE_DAYS


def quota_report(
    session: Session, survey: Survey, lang: str, tz: tzinfo, now: datetime
) -> QuotaReport:
    """The quota figures of a survey's current version, labels in `lang`."""
    schema = surveys.compiled(survey.current_version) if survey.current_version else None
    since = now - timedelta(days=PACE_DAYS)
    today = now.astimezone(tz).date()
    rows = _cell_rows(session, survey.id, schema, lang, since)
    membership, languages_open = _in_progress(session, survey.id)
    for row in rows.values():
        row.in_progress = membership[row.cell_id]
        row.projected = _projection(row.target - row.completes, row.recent, today)
    groups = _groups(schema, rows, lang) if schema else []
    days, recent = _completes_per_day(session, survey.id, tz, since)
    hard = [g for g in groups if g.kind == QuotaKind.HARD]
    remaining = sum(max(0, c.target - c.completes) for c in hard[0].cells) if hard else 0
    return QuotaReport(
        hard=hard,
        soft=[g for g in groups if g.kind == QuotaKind.SOFT],
        days=days,
        recent=recent,
        projected=_projection(remaining, recent, today) if hard else None,
        remaining=remaining,
        by_country=_by_first_variable(hard[0]) if hard and hard[0].by else [],
        country_variable=hard[0].by[0] if hard and hard[0].by else None,
        country_label=hard[0].by_labels[0] if hard and hard[0].by_labels else None,
        by_language=_by_language(session, survey.id, languages_open),
    )


def _cell_rows(
    session: Session, survey_id: int, schema: Schema | None, lang: str, since: datetime
) -> dict[str, CellRow]:
    recent = dict(
        session.execute(
            select(QuotaClaim.cell_id, func.count())
            .join(QuotaCell, QuotaCell.id == QuotaClaim.cell_id)
            .where(QuotaCell.survey_id == survey_id, QuotaClaim.claimed_at >= since)
            .group_by(QuotaClaim.cell_id)
        ).all()
    )
    quotas = {q.id: q for q in schema.quotas} if schema else {}
    rows = {}
    for cell in session.scalars(
        select(QuotaCell).where(QuotaCell.survey_id == survey_id).order_by(QuotaCell.id)
    ):
        quota = quotas.get(cell.quota_id)
        spec = next((c for c in quota.cells if c.id == cell.cell_id), None) if quota else None
        codes = spec.codes if spec else ()
        labels = tuple(
            code_labels(schema, ref, lang).get(code, code)
            for ref, code in zip(quota.by if quota else (), codes, strict=False)
        )
        rows[cell.cell_id] = CellRow(
            quota_id=cell.quota_id,
            cell_id=cell.cell_id,
            kind=cell.kind,
            limit=quota.limit if quota else None,
            codes=codes,
            labels=labels,
            target=cell.target,
            completes=cell.completes,
            is_closed=cell.is_closed,
            recent=recent.get(cell.id, 0),
        )
    return rows


def _in_progress(session: Session, survey_id: int) -> tuple[Counter[str], Counter[str]]:
    """Respondents in progress per cell id they belong to now, and per language."""
    cells: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    schemas: dict[int, Schema] = {}
    for version in session.scalars(
        select(SurveyVersion).where(
            SurveyVersion.id.in_(
                select(Response.version_id)
                .where(
                    Response.survey_id == survey_id, Response.status == ResponseStatus.IN_PROGRESS
                )
                .distinct()
            )
        )
    ):
        schemas[version.id] = surveys.compiled(version)  # before streaming: one query at a time
    result = session.execute(
        select(Response.version_id, Response.language, Response.params, Response.answers)
        .where(
            Response.survey_id == survey_id,
            Response.status == ResponseStatus.IN_PROGRESS,
            Response.is_test.is_(False),
        )
        .execution_options(yield_per=BATCH)
    )
    for version_id, language, params, answers in result:
        languages[language or "?"] += 1
        for ref in quota_cells(schemas[version_id], {**(params or {}), **(answers or {})}):
            cells[ref.cell_id] += 1
    return cells, languages


def _projection(remaining: int, recent: int, today: date) -> date | None:
    """The day the remaining completes arrive at the recent pace (today when none remain)."""
    if remaining <= 0:
        return today
    if recent <= 0:
        return None
    return today + timedelta(days=math.ceil(remaining * PACE_DAYS / recent))


def _groups(schema: Schema, rows: dict[str, CellRow], lang: str) -> list[QuotaGroup]:
    groups = []
    for quota in schema.quotas:
        cells = [rows[c.id] for c in quota.cells if c.id in rows]
        label = quota.label.get(lang) if quota.label else None
        by_labels = tuple(variable_name(schema, ref, lang) for ref in quota.by)
        group = QuotaGroup(
            quota.id, label or quota.id, quota.kind, quota.limit, quota.by, cells, None, by_labels
        )
        if quota.kind == QuotaKind.HARD and len(quota.by) == 2:
            group.grid = _grid(cells)
        groups.append(group)
    return groups


def _grid(cells: list[CellRow]) -> Grid:
    rows: dict[str, str] = {}
    columns: dict[str, str] = {}
    for cell in cells:
        rows.setdefault(cell.codes[0], cell.labels[0])
        columns.setdefault(cell.codes[1], cell.labels[1])
    placed = {(c.codes[0], c.codes[1]): c for c in cells}
    return Grid(list(rows.items()), list(columns.items()), placed)


def _completes_per_day(
    session: Session, survey_id: int, tz: tzinfo, since: datetime
) -> tuple[list[tuple[date, int]], int]:
    per_day: Counter[date] = Counter()
    recent = 0
    result = session.execute(
        select(Response.completed_at)
        .where(
            Response.survey_id == survey_id,
            Response.status == ResponseStatus.COMPLETE,
            Response.is_test.is_(False),
        )
        .execution_options(yield_per=BATCH)
    )
    for (completed_at,) in result:
        if completed_at is None:  # never for a complete (one_completion constraint)
            continue
        per_day[completed_at.astimezone(tz).date()] += 1
        recent += completed_at >= since
    return sorted(per_day.items())[-MAX_DAYS:], recent


def _by_first_variable(group: QuotaGroup) -> list[Total]:
    totals: dict[str, Total] = {}
    for cell in group.cells:
        total = totals.setdefault(cell.codes[0], Total(cell.codes[0], cell.labels[0]))
        total.completes += cell.completes
        total.target += cell.target
        total.in_progress += cell.in_progress
    return list(totals.values())


def _by_language(session: Session, survey_id: int, in_progress: Counter[str]) -> list[Total]:
    totals: dict[str, Total] = defaultdict(lambda: Total("", ""))
    for language, n in session.execute(
        select(Response.language, func.count())
        .where(
            Response.survey_id == survey_id,
            Response.status == ResponseStatus.COMPLETE,
            Response.is_test.is_(False),
        )
        .group_by(Response.language)
    ):
        totals[language or "?"].completes = n
    for language, n in in_progress.items():
        totals[language].in_progress = n
    return [
        Total(code, language_name(code) if code != "?" else code, t.completes, 0, t.in_progress)
        for code, t in sorted(totals.items())
    ]


def as_json(report: QuotaReport) -> dict[str, Any]:
    """The report as JSON-ready data (dates in ISO 8601)."""

    def cell(c: CellRow) -> dict[str, Any]:
        return {
            "cell": c.cell_id,
            "codes": list(c.codes),
            "labels": list(c.labels),
            "target": c.target,
            "completes": c.completes,
            "in_progress": c.in_progress,
            "percent": c.percent,
            "closed": c.is_closed,
            "full": c.full,
            "met": c.met,
            "completes_last_7_days": c.recent,
            "projected_fill": c.projected.isoformat() if c.projected else None,
        }

    def group(g: QuotaGroup) -> dict[str, Any]:
        return {
            "quota": g.quota_id,
            "label": g.label,
            "kind": g.kind,
            "limit": g.limit,
            "by": list(g.by),
            "cells": [cell(c) for c in g.cells],
        }

    def total(t: Total) -> dict[str, Any]:
        return {
            "code": t.code,
            "label": t.label,
            "completes": t.completes,
            "target": t.target,
            "in_progress": t.in_progress,
        }

    return {
        "hard": [group(g) for g in report.hard],
        "soft": [group(g) for g in report.soft],
        "completes_per_day": [{"day": d.isoformat(), "complete": n} for d, n in report.days],
        "completes_last_7_days": report.recent,
        "pace_per_day": round(report.pace, 2),
        "remaining": report.remaining,
        "projected_fill": report.projected.isoformat() if report.projected else None,
        "country_variable": report.country_variable,
        "by_country": [total(t) for t in report.by_country],
        "by_language": [total(t) for t in report.by_language],
    }
