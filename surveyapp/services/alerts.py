"""Signs of ballot stuffing on the fieldwork dashboard: bursts of completions, too-fast ones.

Two checks over the complete, non-test responses of a survey:

- a **burst**: a 10-minute window with at least `BURST_FACTOR` times the survey's median
  completions per active 10-minute window (windows with at least one completion), and at least
  `BURST_MIN` completions (a quiet survey's median of 1 must not flag 3 friends finishing);
- **too fast**: completions that took less than `FAST_SHARE` of the median duration.

Both need `MIN_COMPLETES` completions before they say anything (no median worth the name
before). `judge` is a pure function of the window counts, the median duration and the number
of too-fast completions; the database computes those (GROUP BY window, the median's middle
rows, a COUNT), so the dashboard never reads every response. `detect` does the same from
(started_at, completed_at) pairs, for tests.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Integer, cast, func, select, text
from sqlalchemy.orm import Session

from surveyapp.domain import ResponseStatus
from surveyapp.models import Response, Survey

WINDOW = timedelta(minutes=10)
BURST_FACTOR = 5
BURST_MIN = 10
FAST_SHARE = 0.25
MIN_COMPLETES = 20
#: Burst windows listed on the dashboard (the most recent first).
SHOWN = 5


@dataclass(frozen=True)
class Alerts:
    """What the dashboard shows; `any` is False when there is nothing to report."""

    completes: int
    median_per_window: float | None = None
    burst_threshold: int | None = None
    #: (window start, completions in it), most recent first.
    bursts: list[tuple[datetime, int]] = field(default_factory=list)
    median_seconds: float | None = None
    fast_limit_seconds: float | None = None
    fast: int = 0

    @property
    def any(self) -> bool:
        """True when there is a burst or a too-fast completion to report."""
        return bool(self.bursts) or self.fast > 0


def _window(moment: datetime) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % int(WINDOW.total_seconds()), UTC)


def judge(
    completes: int, per_window: dict[datetime, int], median_seconds: float, fast: int
) -> Alerts:
    """The alerts from the window counts, the median duration and the too-fast count."""
    median_count = statistics.median(per_window.values())
    threshold = max(BURST_MIN, int(BURST_FACTOR * median_count + 0.999))
    bursts = sorted(((start, n) for start, n in per_window.items() if n >= threshold), reverse=True)
    return Alerts(
        completes=completes,
        median_per_window=median_count,
        burst_threshold=threshold,
        bursts=bursts[:SHOWN],
        median_seconds=median_seconds,
        fast_limit_seconds=FAST_SHARE * median_seconds,
        fast=fast,
    )


def detect(completions: Iterable[tuple[datetime, datetime]]) -> Alerts:
    """Bursts and too-fast completions among (started_at, completed_at) pairs."""
    pairs = list(completions)
    if len(pairs) < MIN_COMPLETES:
        return Alerts(completes=len(pairs))
    durations = [(done - start).total_seconds() for start, done in pairs]
    median_seconds = statistics.median(durations)
    fast = sum(1 for d in durations if d < FAST_SHARE * median_seconds)
    per_window = Counter(_window(done) for _start, done in pairs)
    return judge(len(pairs), dict(per_window), median_seconds, fast)


def completion_alerts(session: Session, survey: Survey) -> Alerts:
    """The alerts of one survey (complete, non-test responses), aggregated by the database."""
    from surveyapp.services.dashboard import median_seconds

    base = (
        Response.survey_id == survey.id,
        Response.status == ResponseStatus.COMPLETE,
        Response.is_test.is_(False),
        Response.completed_at.is_not(None),
    )
    completes = session.scalar(select(func.count()).where(*base)) or 0
    if completes < MIN_COMPLETES:
        return Alerts(completes=completes)
    dialect = session.get_bind().dialect.name
    window = _window_bucket(dialect)
    per_window = {
        _window_start(label): n
        for label, n in session.execute(
            select(window, func.count()).where(*base).group_by(window)
        ).all()
    }
    median = median_seconds(session, dialect, base, completes) or 0.0
    limit = FAST_SHARE * median
    if dialect == "sqlite":
        too_fast = (
            func.julianday(Response.completed_at) - func.julianday(Response.started_at)
        ) * 86400 < limit
    else:
        too_fast = Response.completed_at - Response.started_at < timedelta(seconds=limit)
    fast = session.scalar(select(func.count()).where(*base, too_fast)) or 0
    return judge(completes, per_window, median, fast)


def _window_bucket(dialect: str) -> ColumnElement[str]:
    """A text label of the UTC 10-minute window a completion falls in."""
    if dialect == "postgresql":
        utc = func.timezone("UTC", Response.completed_at)
        start = func.date_bin(text("interval '10 minutes'"), utc, text("timestamp '2000-01-01'"))
        return func.to_char(start, "YYYY-MM-DD HH24:MI")
    minutes = cast(func.strftime("%M", Response.completed_at), Integer) / 10 * 10
    return func.strftime("%Y-%m-%d %H:", Response.completed_at).concat(func.printf("%02d", minutes))


def _window_start(label: str) -> datetime:
    return datetime.strptime(label, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
