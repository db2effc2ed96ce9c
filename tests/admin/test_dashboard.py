"""Fieldwork dashboard: figures, SVG chart without inline style or script, localised numbers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from surveyapp.admin import charts
from surveyapp.extensions import db
from surveyapp.models import utcnow
from surveyapp.services import dashboard
from tests.admin.helpers import add_response


def _seed(app, survey):
    start = datetime(2026, 2, 1, 9, tzinfo=UTC)
    for minutes in (10, 20, 30):  # median completion: 20 min
        add_response(
            app,
            survey,
            status="complete",
            started_at=start,
            completed_at=start + timedelta(minutes=minutes),
            language="fr",
            params={"source": "1"},
        )
    add_response(
        app,
        survey,
        status="screened_out",
        started_at=start + timedelta(days=1),
        completed_at=start + timedelta(days=1),
        language="en",
        params={"source": "2"},
    )
    add_response(
        app,
        survey,
        status="quota_full",
        started_at=start + timedelta(days=2),
        completed_at=start + timedelta(days=2),
        language="en",
    )
    add_response(app, survey, current_page="p2", started_at=start + timedelta(days=2))
    add_response(app, survey, current_page="p2", started_at=start + timedelta(days=2))
    add_response(app, survey, current_page="p1", started_at=start + timedelta(days=2))
    add_response(app, survey, current_page="p3", started_at=start, is_test=True)


def test_fieldwork_figures(app, demo_survey):
    _seed(app, demo_survey)
    with app.app_context():
        survey = db.session.merge(demo_survey)
        board = dashboard.fieldwork(
            db.session, survey, UTC, ["p1", "p2", "p3"], today=date(2026, 2, 4)
        )
    assert (
        board.totals.starts,
        board.totals.complete,
        board.totals.screened_out,
        board.totals.quota_full,
        board.totals.in_progress,
    ) == (8, 3, 1, 1, 3)
    assert board.median_seconds == 20 * 60
    assert board.funnel == [("p1", 1), ("p2", 2)]  # questionnaire order; test response out
    assert [(d.day.day, d.starts, d.complete) for d in board.days] == [
        (1, 3, 3),
        (2, 1, 0),
        (3, 4, 0),
        (4, 0, 0),
    ]
    languages = dict(board.by_language)
    assert languages["fr"].complete == 3
    assert languages["en"].starts == 2
    sources = dict(board.by_source)
    assert sources["1"].complete == 3
    assert sources["2"].screened_out == 1
    assert sources[""].starts == 4


def test_dashboard_page(app, as_role, demo_survey):
    _seed(app, demo_survey)
    client = as_role("analyst")
    html = client.get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    assert "<svg" in html
    assert "<polyline" in html
    assert "<title" in html
    assert "style=" not in html
    # CSP: scripts come from files (script-src 'self'), never inline.
    assert re.findall(r"<script[^>]*>", html) == [
        f'<script src="/static/{name}" defer>' for name in ("file-picker.js", "table-scroll.js")
    ]
    assert "20 min 0 s" in html
    assert "2 · Colours you like?" in html  # the page p2, by number and first question


def test_numbers_and_dates_follow_the_admin_language(app, demo_survey, make_user):
    from tests.admin.helpers import login

    start = utcnow() - timedelta(days=1)
    with app.app_context():
        from surveyapp.models import Response

        rows = [
            Response(
                survey_id=demo_survey.id,
                version_id=demo_survey.current_version_id,
                token_hash=f"{i:064d}",
                language="fr",
                seed="s",
                started_at=start,
                updated_at=start,
                current_page="p1",
            )
            for i in range(1234)
        ]
        db.session.add_all(rows)
        db.session.commit()
    make_user("fr@example.org", "analyst", language="fr")
    make_user("en@example.org", "analyst", language="en")
    fr, en = app.test_client(), app.test_client()
    login(fr, "fr@example.org")
    login(en, "en@example.org")
    fr_html = fr.get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    en_html = en.get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    assert "1,234" in en_html
    assert "1\u202f234" in fr_html or "1\xa0234" in fr_html


def test_chart_geometry():
    days = [dashboard.Day(date(2026, 1, d), d * 3, d, 0, 0) for d in range(1, 11)]
    chart = charts.build(days)
    assert chart is not None
    starts = chart.series[0]
    assert starts.key == "starts"
    assert len(starts.points) == 10
    assert starts.points[0].x == chart.left
    assert abs(starts.points[-1].x - chart.right) < 1e-6
    assert min(p.y for p in starts.points) >= chart.top  # highest value within the plot
    assert chart.y_ticks[0][1] == 0
    assert chart.y_ticks[-1][1] >= 30
    assert charts.build([]) is None
    assert charts.nice_step(7) == 2
    assert charts.nice_step(95) == 50
    assert charts.nice_step(3) == 1


def test_empty_dashboard(as_role, demo_survey):
    html = as_role("study").get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    assert '<svg class="chart"' not in html


def test_days_follow_the_admin_time_zone_across_daylight_saving(app, demo_survey):
    """Days are grouped by the database; each response lands on its local calendar day."""
    import pytz

    moments = [  # UTC instants near local midnights, across the end of summer time in Paris
        datetime(2026, 10, 24, 21, 59, tzinfo=UTC),  # Paris 23:59 (UTC+2) on the 24th
        datetime(2026, 10, 24, 22, 1, tzinfo=UTC),  # Paris 00:01 on the 25th
        datetime(2026, 10, 25, 22, 59, tzinfo=UTC),  # Paris 23:59 (UTC+1) on the 25th
        datetime(2026, 10, 25, 23, 1, tzinfo=UTC),  # Paris 00:01 on the 26th
        datetime(2026, 10, 26, 18, 14, tzinfo=UTC),  # Kathmandu (UTC+5:45) 23:59 on the 26th
        datetime(2026, 10, 26, 18, 16, tzinfo=UTC),  # Kathmandu 00:01 on the 27th
    ]
    for moment in moments:
        add_response(app, demo_survey, current_page="p1", started_at=moment)
    fixed = timezone(timedelta(hours=5, minutes=45))  # no name: grouped by UTC quarter hours
    for name in ("Europe/Paris", "Asia/Kathmandu", "America/St_Johns", fixed):
        tz = pytz.timezone(name) if isinstance(name, str) else name
        expected: dict[date, int] = {}
        for moment in moments:
            day = moment.astimezone(tz).date()
            expected[day] = expected.get(day, 0) + 1
        with app.app_context():
            survey = db.session.merge(demo_survey)
            board = dashboard.fieldwork(db.session, survey, tz, ["p1"])
        assert {d.day: d.starts for d in board.days if d.starts} == expected, name
        # The SQLite-style quarter-hour labels give the same days as the database's zones.
        for moment in moments:
            label = moment.strftime("%Y-%m-%d %H:") + f"{moment.minute // 15 * 15:02d}"
            assert dashboard.bucket_day(label, tz) == moment.astimezone(tz).date()


def test_median_of_an_even_number_of_completes(app, demo_survey):
    start = datetime(2026, 2, 1, 9, tzinfo=UTC)
    for minutes in (40, 10, 30, 20):  # middle two: 20 and 30 min
        add_response(
            app,
            demo_survey,
            status="complete",
            started_at=start,
            completed_at=start + timedelta(minutes=minutes, seconds=0.5),
        )
    with app.app_context():
        survey = db.session.merge(demo_survey)
        board = dashboard.fieldwork(db.session, survey, UTC, [])
    assert board.median_seconds == 25 * 60 + 0.5
