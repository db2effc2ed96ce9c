"""A hand-written SVG line chart of fieldwork per day: geometry here, markup in a template.

No script and no `style=` attribute (the CSP allows neither): series are told apart by CSS
classes of admin.css and by dash patterns, so the chart also reads in grey scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, log10

from surveyapp.services.dashboard import Day

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36


@dataclass(frozen=True, slots=True)
class Point:
    """One day's value of a series, placed."""

    x: float
    y: float
    value: int
    day: Day


@dataclass(frozen=True, slots=True)
class Series:
    """One line of the chart."""

    key: str
    points: list[Point]

    @property
    def polyline(self) -> str:
        """The `points` attribute of the SVG polyline."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True, slots=True)
class Chart:
    """Everything the template needs to draw the chart."""

    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, Day]]
    series: list[Series]


SERIES = ("starts", "complete", "screened_out", "quota_full")


def nice_step(maximum: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10^n) so that about `ticks` steps cover `maximum`."""
    if maximum <= ticks:
        return 1
    raw = maximum / ticks
    magnitude = 10 ** int(log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def build(days: list[Day]) -> Chart | None:
    """The chart of `days`, or None when there is nothing to draw."""
    if not days:
        return None
    peak = max(max(getattr(d, key) for key in SERIES) for d in days)
    step = nice_step(peak)
    top_value = max(step, ceil(peak / step) * step)
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    span = max(1, len(days) - 1)

    def x_of(i: int) -> float:
        return LEFT + (right - LEFT) * (i / span if len(days) > 1 else 0.5)

    def y_of(value: int) -> float:
        return bottom - (bottom - TOP) * value / top_value

    series = [
        Series(
            key,
            [Point(x_of(i), y_of(getattr(d, key)), getattr(d, key), d) for i, d in enumerate(days)],
        )
        for key in SERIES
    ]
    y_ticks = [(y_of(v), v) for v in range(0, top_value + 1, step)]
    every = max(1, ceil(len(days) / 8))
    x_ticks = [(x_of(i), d) for i, d in enumerate(days) if i % every == 0]
    return Chart(WIDTH, HEIGHT, LEFT, right, TOP, bottom, y_ticks, x_ticks, series)
