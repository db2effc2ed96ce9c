"""No N+1: the home page, the admin index and the dashboard run a constant number of statements.

Statements are counted with a `before_cursor_execute` listener on the app's engine (as indico's
query-count tests do): the count with 1 survey and 3 responses must equal the count with 5
surveys and 300 responses. Each page is requested once before counting, so per-process caches
(compiled schemas, the logged-in user) are warm in both runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from surveyapp.extensions import db
from surveyapp.models import Response, Survey
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from tests.admin.helpers import FIXTURES

PAGES = ("/", "/admin/", "/admin/surveys/demo0/dashboard")
STATUSES = ("in_progress", "complete", "screened_out", "quota_full")
ENDINGS = {"complete": "end", "screened_out": "so", "quota_full": "qf"}


@contextmanager
def statements(app) -> Iterator[list[str]]:
    """The SQL statements run on the app's engine inside the block."""
    seen: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def _add_surveys(app, numbers: range) -> None:
    text = (FIXTURES / "demo.yaml").read_text()
    with app.app_context():
        for n in numbers:
            source = text.replace("  id: demo\n", f"  id: demo{n}\n", 1)
            loaded = surveys.load_schema_text(
                db.session, source, f"demo{n}.yaml", Actor("system", "test")
            )
            surveys.set_state(db.session, loaded.survey, "open", Actor("system", "test"))


def _add_responses(app, count: int, first: int) -> None:
    start = datetime(2026, 3, 1, 8, tzinfo=UTC)
    with app.app_context():
        pairs = db.session.execute(
            select(Survey.id, Survey.current_version_id).order_by(Survey.id)
        ).all()
        rows = []
        for i in range(first, first + count):
            survey_id, version_id = pairs[i % len(pairs)]
            status = STATUSES[i % 4]
            began = start + timedelta(hours=7 * i)
            rows.append(
                Response(
                    survey_id=survey_id,
                    version_id=version_id,
                    token_hash=f"{i:064d}",
                    language=("fr", "en")[i % 2],
                    seed="s",
                    status=status,
                    ending_id=ENDINGS.get(status),
                    current_page=("p1", "p2", "p3")[i % 3] if status == "in_progress" else None,
                    params={"source": str(i % 7)},
                    started_at=began,
                    updated_at=began,
                    completed_at=began + timedelta(minutes=i % 50) if ENDINGS.get(status) else None,
                )
            )
        db.session.add_all(rows)
        db.session.commit()


def _counts(app, client) -> dict[str, int]:
    for page in PAGES:  # warm the per-process caches first
        assert client.get(page).status_code in (200, 303), page
    counts = {}
    for page in PAGES:
        with statements(app) as seen:
            assert client.get(page).status_code in (200, 303), page
        counts[page] = len(seen)
    return counts


def test_statement_counts_do_not_grow_with_surveys_or_responses(app, as_role):
    _add_surveys(app, range(1))
    _add_responses(app, 3, first=0)
    client = as_role("analyst")
    small = _counts(app, client)
    _add_surveys(app, range(1, 5))
    _add_responses(app, 297, first=3)
    large = _counts(app, client)
    assert large == small
    assert all(n > 0 for n in small.values())  # the listener does see the statements


def test_dashboard_aggregates_in_the_database(app, as_role):
    """Every statement on responses groups, counts or fetches at most the median's two rows."""
    _add_surveys(app, range(1))
    _add_responses(app, 40, first=0)
    client = as_role("analyst")
    client.get(PAGES[2])
    with statements(app) as seen:
        assert client.get(PAGES[2]).status_code == 200
    on_responses = [s for s in seen if re.search(r"\bFROM responses\b", s)]
    assert len(on_responses) >= 4
    for statement in on_responses:
        one_row = re.match(r"SELECT count\(\*\) AS \w+ \nFROM responses", statement)
        assert "GROUP BY" in statement or re.search(r"\bLIMIT\b", statement) or one_row, statement
