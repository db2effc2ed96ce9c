"""Signs of ballot stuffing on the fieldwork dashboard: bursts of completions, too-fast ones.

Two checks over the complete, non-test responses of a survey:

- a **burst**: a 10-minute window with at least `BURST_FACTOR` times the survey's median
  completions per active 10-minute window (windows with at least one completion), and at least
  `BURST_MIN` completions (a quiet survey's median of 1 must not flag 3 friends finishing);
- **too fast**: completions that took less than `FAST_SHARE` of the median duration.

Both need `MIN_COMPLETES` completions before they say anything (no median worth the name
before). `detect` is a pure function of (started_at, completed_at) pairs.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

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


def detect(completions: Iterable[tuple[datetime, datetime]]) -> Alerts:
    """Bursts and too-fast completions among (started_at, completed_at) pairs."""
    pairs = list(completions)
    if len(pairs) < MIN_COMPLETES:
        return Alerts(completes=len(pairs))
    per_window = Counter(_window(done) for _start, done in pairs)
    median_count = statistics.median(per_window.values())
    threshold = max(BURST_MIN, int(BURST_FACTOR * median_count + 0.999))
    bursts = sorted(((start, n) for start, n in per_window.items() if n >= threshold), reverse=True)
    durations = [(done - start).total_seconds() for start, done in pairs]
    median_seconds = statistics.median(durations)
    limit = FAST_SHARE * median_seconds
    return Alerts(
        completes=len(pairs),
        median_per_window=median_count,
        burst_threshold=threshold,
        bursts=bursts[:SHOWN],
        median_seconds=median_seconds,
        fast_limit_seconds=limit,
        fast=sum(1 for d in durations if d < limit),
    )


def completion_alerts(session: Session, survey: Survey) -> Alerts:
    """The alerts of one survey (complete, non-test responses)."""
    rows = session.execute(
        select(Response.started_at, Response.completed_at).where(
            Response.survey_id == survey.id,
            Response.status == "complete",
            Response.is_test.is_(False),
            Response.completed_at.is_not(None),
        )
    ).all()
    return detect((started, completed) for started, completed in rows)
