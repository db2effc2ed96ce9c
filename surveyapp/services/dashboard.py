"""Read models of the admin pages: survey overview, fieldwork dashboard (no writes here).

Test-mode responses are left out of every figure. Days are calendar days in the time zone
given by the caller (the admin's), so "today" on the chart is the admin's today.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.models import RESPONSE_STATUSES, Response, Survey, SurveyVersion

#: The chart shows at most this many days (the most recent ones).
MAX_DAYS = 120
FINISHED = ("complete", "screened_out", "quota_full")


@dataclass(frozen=True, slots=True)
class SurveyRow:
    """One survey in the overview."""

    survey: Survey
    version: SurveyVersion | None
    counts: dict[str, int]

    @property
    def starts(self) -> int:
        """Responses started (every status)."""
        return sum(self.counts.values())


@dataclass(slots=True)
class Tally:
    """Starts and outcomes of a group of responses."""

    starts: int = 0
    complete: int = 0
    screened_out: int = 0
    quota_full: int = 0

    @property
    def in_progress(self) -> int:
        """Started and not finished."""
        return self.starts - self.complete - self.screened_out - self.quota_full

    def add(self, status: str) -> None:
        """Count one response of this status."""
        self.starts += 1
        if status in FINISHED:
            setattr(self, status, getattr(self, status) + 1)


@dataclass(frozen=True, slots=True)
class Day:
    """Starts (by start day) and outcomes (by finishing day) of one calendar day."""

    day: date
    starts: int
    complete: int
    screened_out: int
    quota_full: int


@dataclass(slots=True)
class Dashboard:
    """Fieldwork figures of one survey."""

    totals: Tally
    days: list[Day]
    truncated_days: int
    #: (page id, respondents who stopped there), in questionnaire order, then unknown pages.
    funnel: list[tuple[str, int]]
    median_seconds: float | None
    by_language: list[tuple[str, Tally]] = field(default_factory=list)
    by_source: list[tuple[str, Tally]] = field(default_factory=list)


def survey_overview(session: Session) -> list[SurveyRow]:
    """Every survey with its current version and response counts by status (test excluded)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for survey_id, status, n in session.execute(
        select(Response.survey_id, Response.status, func.count(Response.id))
        .where(Response.is_test.is_(False))
        .group_by(Response.survey_id, Response.status)
    ):
        counts[survey_id][status] = n
    surveys = session.scalars(select(Survey).order_by(Survey.slug)).all()
    return [
        SurveyRow(s, s.current_version, {st: counts[s.id].get(st, 0) for st in RESPONSE_STATUSES})
        for s in surveys
    ]


def survey_versions(session: Session, survey: Survey) -> list[SurveyVersion]:
    """The versions of a survey, newest first."""
    return list(
        session.scalars(
            select(SurveyVersion)
            .where(SurveyVersion.survey_id == survey.id)
            .order_by(SurveyVersion.number.desc())
        )
    )


def get_version(session: Session, survey: Survey, number: int) -> SurveyVersion | None:
    """One version of a survey by its number."""
    return session.scalar(
        select(SurveyVersion).where(
            SurveyVersion.survey_id == survey.id, SurveyVersion.number == number
        )
    )


def fieldwork(
    session: Session, survey: Survey, tz: tzinfo, page_order: list[str], today: date | None = None
) -> Dashboard:
    """Starts and outcomes per day, stop pages, median completion time, language and source."""
    rows = session.execute(
        select(
            Response.status,
            Response.language,
            Response.params["source"].as_string(),
            Response.current_page,
            Response.started_at,
            Response.completed_at,
        ).where(Response.survey_id == survey.id, Response.is_test.is_(False))
    ).all()
    totals = Tally()
    languages: dict[str, Tally] = defaultdict(Tally)
    sources: dict[str, Tally] = defaultdict(Tally)
    starts: Counter[date] = Counter()
    ends: dict[str, Counter[date]] = {status: Counter() for status in FINISHED}
    stopped: Counter[str] = Counter()
    durations = []
    for status, language, source, page, started_at, completed_at in rows:
        totals.add(status)
        languages[language or "?"].add(status)
        sources[str(source) if source not in (None, "") else ""].add(status)
        starts[started_at.astimezone(tz).date()] += 1
        if status in FINISHED and completed_at is not None:
            ends[status][completed_at.astimezone(tz).date()] += 1
            if status == "complete":
                durations.append((completed_at - started_at).total_seconds())
        elif status == "in_progress":
            stopped[page or ""] += 1
    days, truncated = _days(starts, ends, today)
    return Dashboard(
        totals=totals,
        days=days,
        truncated_days=truncated,
        funnel=_funnel(stopped, page_order),
        median_seconds=statistics.median(durations) if durations else None,
        by_language=sorted(languages.items()),
        by_source=sorted(sources.items(), key=lambda item: (item[0] == "", item[0])),
    )


def _days(
    starts: Counter[date], ends: dict[str, Counter[date]], today: date | None
) -> tuple[list[Day], int]:
    seen = set(starts)
    for counter in ends.values():
        seen |= set(counter)
    if not seen:
        return [], 0
    first, last = min(seen), max(max(seen), today or max(seen))
    span = (last - first).days + 1
    truncated = max(0, span - MAX_DAYS)
    first = first + timedelta(days=truncated)
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        days.append(
            Day(
                day,
                starts[day],
                ends["complete"][day],
                ends["screened_out"][day],
                ends["quota_full"][day],
            )
        )
    return days, truncated


def _funnel(stopped: Counter[str], page_order: list[str]) -> list[tuple[str, int]]:
    known = [(page, stopped[page]) for page in page_order if stopped[page]]
    others = sorted((page, n) for page, n in stopped.items() if page not in page_order)
    return known + others
