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


def test_the_database_computes_the_same_alerts_as_the_pure_function(app):
    """completion_alerts (GROUP BY window, median rows, COUNT) agrees with detect()."""
    from surveyapp.extensions import db
    from surveyapp.models import Response, Survey, SurveyVersion
    from surveyapp.services.alerts import completion_alerts

    steady_pairs = [
        (T0 + timedelta(minutes=30 * i), T0 + timedelta(minutes=30 * i, seconds=600))
        for i in range(40)
    ]
    script = [(T0 + timedelta(days=2), T0 + timedelta(days=2, seconds=20))] * 30
    pairs = steady_pairs + script
    with app.app_context():
        survey = Survey(slug="alerts", state="open")
        db.session.add(survey)
        db.session.flush()
        version = SurveyVersion(
            survey_id=survey.id, number=1, label="1", source="", sha256="0" * 64
        )
        db.session.add(version)
        db.session.flush()
        for i, (start, end) in enumerate(pairs):
            db.session.add(
                Response(
                    survey_id=survey.id, version_id=version.id, token_hash=f"{i:064d}",
                    status="complete", ending_id="end", language="fr", seed="s",
                    started_at=start, updated_at=end, completed_at=end,
                )
            )  # fmt: skip
        db.session.commit()
        from_db = completion_alerts(db.session, survey)
    assert from_db == detect(pairs)
    assert from_db.bursts == [(T0 + timedelta(days=2), 30)]
    assert from_db.fast == 30
