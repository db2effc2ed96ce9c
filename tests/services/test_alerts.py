"""Dashboard alerts on bursts of completions and too-fast completions (pure part)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from surveyapp.services.alerts import MIN_COMPLETES, detect

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def steady(n: int, minutes: int = 12) -> list[tuple[datetime, datetime]]:
    """n completions, one every 30 minutes, each taking `minutes`."""
    return [
        (T0 + timedelta(minutes=30 * i), T0 + timedelta(minutes=30 * i + minutes)) for i in range(n)
    ]


def test_a_steady_survey_raises_nothing():
    alerts = detect(steady(60))
    assert not alerts.any
    assert alerts.median_per_window == 1
    assert alerts.burst_threshold == 10


def test_too_few_completions_say_nothing():
    burst = [(T0, T0 + timedelta(seconds=5))] * (MIN_COMPLETES - 1)
    assert not detect(burst).any


def test_thirty_completions_in_a_minute_are_a_burst_and_too_fast():
    script = [
        (T0 + timedelta(days=2, seconds=2 * i), T0 + timedelta(days=2, seconds=2 * i + 20))
        for i in range(30)
    ]
    alerts = detect(steady(40) + script)
    assert alerts.any
    assert alerts.bursts == [(T0 + timedelta(days=2), 30)]
    assert alerts.fast == 30
    assert alerts.fast_limit_seconds < 12 * 60 / 4 + 1


def test_a_busy_but_even_survey_is_not_a_burst():
    even = [(T0 + timedelta(minutes=i), T0 + timedelta(minutes=i + 15)) for i in range(0, 600, 1)]
    assert not detect(even).bursts  # 10 per window every window: the median itself
