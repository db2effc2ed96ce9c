"""Read models of the admin pages: survey overview, fieldwork dashboard (no writes here).

Test-mode responses are left out of every figure. Days are calendar days in the time zone
given by the caller (the admin's), so "today" on the chart is the admin's today.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Integer, cast, func, select, text
from sqlalchemy.orm import Session, selectinload

from surveyapp.domain import ResponseStatus
from surveyapp.models import RESPONSE_STATUSES, Response, Survey, SurveyVersion

#: The chart shows at most this many days (the most recent ones).
MAX_DAYS = 120
FINISHED = (ResponseStatus.COMPLETE, ResponseStatus.SCREENED_OUT, ResponseStatus.QUOTA_FULL)


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

    def add(self, status: str, n: int = 1) -> None:
        """Count `n` responses of this status."""
        self.starts += n
        if status in FINISHED:
            setattr(self, status, getattr(self, status) + n)


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
    surveys = session.scalars(
        select(Survey).options(selectinload(Survey.current_version)).order_by(Survey.slug)
    ).all()
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
    """Starts and outcomes per day, stop pages, median completion time, language and source.

    Every figure is aggregated by the database (GROUP BY), so the page runs the same five
    statements whether the survey has ten responses or a million.
    """
    base = (Response.survey_id == survey.id, Response.is_test.is_(False))
    totals = Tally()
    languages: dict[str, Tally] = defaultdict(Tally)
    sources: dict[str, Tally] = defaultdict(Tally)
    source = Response.params["source"].as_string()
    for status, language, src, n in session.execute(
        select(Response.status, Response.language, source, func.count())
        .where(*base)
        .group_by(Response.status, Response.language, source)
    ):
        for tally in (totals, languages[language or "?"], sources[_source(src)]):
            tally.add(status, n)
    dialect = session.get_bind().dialect.name
    starts: Counter[date] = Counter()
    bucket = day_bucket(dialect, Response.started_at, tz)
    for label, n in session.execute(select(bucket, func.count()).where(*base).group_by(bucket)):
        starts[bucket_day(label, tz)] += n
    ends: dict[str, Counter[date]] = {status: Counter() for status in FINISHED}
    bucket = day_bucket(dialect, Response.completed_at, tz)
    for status, label, n in session.execute(
        select(Response.status, bucket, func.count())
        .where(*base, Response.status.in_(FINISHED), Response.completed_at.is_not(None))
        .group_by(Response.status, bucket)
    ):
        ends[status][bucket_day(label, tz)] += n
    stopped: Counter[str] = Counter()
    for page, n in session.execute(
        select(Response.current_page, func.count())
        .where(*base, Response.status == ResponseStatus.IN_PROGRESS)
        .group_by(Response.current_page)
    ):
        stopped[page or ""] += n
    days, truncated = _days(starts, ends, today)
    return Dashboard(
        totals=totals,
        days=days,
        truncated_days=truncated,
        funnel=_funnel(stopped, page_order),
        median_seconds=median_seconds(session, dialect, base, totals.complete),
        by_language=sorted(languages.items()),
        by_source=sorted(sources.items(), key=lambda item: (item[0] == "", item[0])),
    )


def _source(value: object) -> str:
    return str(value) if value not in (None, "") else ""


def median_seconds(
    session: Session, dialect: str, base: Iterable[ColumnElement[bool]], complete: int
) -> float | None:
    """Median completion time: the database sorts, only the one or two middle rows come back."""
    if not complete:
        return None
    if dialect == "sqlite":
        length = func.julianday(Response.completed_at) - func.julianday(Response.started_at)
    else:
        length = Response.completed_at - Response.started_at
    middle = session.execute(
        select(Response.started_at, Response.completed_at)
        .where(
            *base, Response.status == ResponseStatus.COMPLETE, Response.completed_at.is_not(None)
        )
        .order_by(length, Response.id)
        .offset((complete - 1) // 2)
        .limit(2 - complete % 2)
    ).all()
    if not middle:  # a complete without an end time cannot exist (one_completion constraint)
        return None
    return statistics.mean((end - start).total_seconds() for start, end in middle if end)


def zone_name(tz: tzinfo) -> str | None:
    """The IANA name of a time zone (pytz or zoneinfo), or None for an anonymous offset."""
    name = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if name is None and tz.utcoffset(None) == timedelta(0):
        name = "UTC"
    return name


def day_bucket(dialect: str, column: Any, tz: tzinfo) -> ColumnElement[str]:
    """A text label that `bucket_day` turns into the calendar day in `tz`.

    PostgreSQL converts to the named zone itself (`YYYY-MM-DD`). Elsewhere the label is the
    UTC quarter of an hour (`YYYY-MM-DD HH:MM`): every zone's offset is a whole number of
    quarter hours, so each bucket falls in exactly one local day, daylight saving included,
    and the rows returned depend on the fieldwork's length, not on the number of responses.
    """
    name = zone_name(tz)
    if dialect == "postgresql" and name is not None:
        return func.to_char(func.timezone(name, column), "YYYY-MM-DD")
    if dialect == "postgresql":
        utc = func.timezone("UTC", column)
        quarter = func.date_bin(text("interval '15 minutes'"), utc, text("timestamp '2000-01-01'"))
        return func.to_char(quarter, "YYYY-MM-DD HH24:MI")
    minutes = cast(func.strftime("%M", column), Integer) / 15 * 15
    return func.strftime("%Y-%m-%d %H:", column).concat(func.printf("%02d", minutes))


def bucket_day(label: str, tz: tzinfo) -> date:
    """The local calendar day of a `day_bucket` label."""
    if len(label) == 10:
        return date.fromisoformat(label)
    moment = datetime.strptime(label, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    return moment.astimezone(tz).date()


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
                ends[ResponseStatus.COMPLETE][day],
                ends[ResponseStatus.SCREENED_OUT][day],
                ends[ResponseStatus.QUOTA_FULL][day],
            )
        )
    return days, truncated


def _funnel(stopped: Counter[str], page_order: list[str]) -> list[tuple[str, int]]:
    known = [(page, stopped[page]) for page in page_order if stopped[page]]
    others = sorted((page, n) for page, n in stopped.items() if page not in page_order)
    return known + others
