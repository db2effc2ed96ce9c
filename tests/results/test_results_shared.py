"""The results page's tables are shared through the database by every worker and host."""

from __future__ import annotations

from sqlalchemy import func, select, update

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import ResultsCache
from surveyapp.services import results as results_service
from tests.admin.helpers import login
from tests.results.conftest import filled_responses

BASE = "/admin/surveys/barometre-2015"


def _rows(app) -> list[ResultsCache]:
    with app.app_context():
        return list(db.session.scalars(select(ResultsCache)))


def _no_computing(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the figures were computed again")

    monkeypatch.setattr(results_service, "compute", refuse)


def test_a_second_worker_reuses_the_figures_with_their_time_stamp(
    app, baro, as_role, database_url, monkeypatch
):
    first = as_role("analyst").get(f"{BASE}/results?by=s1")
    assert first.status_code == 200
    (row,) = _rows(app)
    html = first.get_data(as_text=True)
    assert 'id="computed-at"' in html
    assert "Figures as of" in html
    # Another worker: its own app, its own process-level cache, the same database and secret.
    other = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    results_service.clear_cache()
    _no_computing(monkeypatch)
    client = other.test_client()
    assert login(client, "analyst-en@example.org").status_code == 303
    second = client.get(f"{BASE}/results?by=s1").get_data(as_text=True)
    completes = sum(1 for _a, status, _e in filled_responses() if status == "complete")
    assert f"{completes} responses" in second
    assert "United States" in second or "États-Unis" in second
    assert _rows(app)[0].computed_at == row.computed_at  # the same figures, not recomputed
    db.dispose(other)


def test_a_new_response_replaces_the_figures(app, baro, as_role):
    from tests.results.helpers import store

    client = as_role("analyst")
    before = client.get(f"{BASE}/results").get_data(as_text=True)
    (old,) = _rows(app)
    extra = [r for r in filled_responses() if r[1] == "complete"][:1]
    with app.app_context():
        from surveyapp.models import Survey

        survey = db.session.scalar(select(Survey))
        store(db.session, survey, extra, start=5000)
    after = client.get(f"{BASE}/results").get_data(as_text=True)
    (new,) = _rows(app)  # the older figures of the survey are gone
    assert new.key != old.key
    completes = sum(1 for _a, status, _e in filled_responses() if status == "complete")
    assert f"{completes} responses" in before
    assert f"{completes + 1} responses" in after


def test_an_altered_row_is_recomputed_not_trusted(app, baro, as_role):
    client = as_role("analyst")
    client.get(f"{BASE}/results")
    with app.app_context():
        db.session.execute(update(ResultsCache).values(payload=b"not a pickle", signature="0" * 64))
        db.session.commit()
    page = client.get(f"{BASE}/results")
    assert page.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResultsCache)) == 1
        assert db.session.scalar(select(ResultsCache.payload)) != b"not a pickle"


def test_deleting_a_response_forgets_the_survey_figures(app, baro, as_role):
    from surveyapp.models import Response, Survey
    from surveyapp.services import responses_admin
    from surveyapp.services.audit import Actor

    as_role("analyst").get(f"{BASE}/results")
    assert len(_rows(app)) == 1
    with app.app_context():
        survey = db.session.scalar(select(Survey))
        first = db.session.scalar(select(func.min(Response.id)))
        responses_admin.delete_response(db.session, survey, first, Actor("system", "test"))
    assert _rows(app) == []


def test_a_large_view_shows_its_latest_figures_while_a_job_refreshes_them(
    app, baro, as_role, monkeypatch
):
    """Over RESULTS_JOB_ROWS responses, a view whose responses changed is answered at once
    with its latest figures and their time stamp, and a refresh job brings the new ones."""
    from surveyapp.jobs import queue
    from surveyapp.models import Job, Survey
    from surveyapp.services import jobs
    from tests.results.helpers import store

    monkeypatch.setattr(queue, "enqueue", lambda app, job_id: None)
    client = as_role("analyst", "fr")
    completes = sum(1 for _a, status, _e in filled_responses() if status == "complete")
    first = client.get(f"{BASE}/results?by=s1").get_data(as_text=True)
    assert f"{completes} réponses" in first or f"{completes} responses" in first
    assert "Chiffres du" in first
    assert 'id="job-live"' not in first
    app.config["RESULTS_JOB_ROWS"] = 10
    extra = [r for r in filled_responses() if r[1] == "complete"][:2]
    with app.app_context():
        store(db.session, db.session.scalar(select(Survey)), extra, start=6000)
    _no_computing(monkeypatch)
    stale = client.get(f"{BASE}/results?by=s1")
    html = stale.get_data(as_text=True)
    assert stale.status_code == 200
    assert "Chiffres du" in html
    assert 'id="job-live"' in html
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    with app.app_context():
        (job,) = db.session.scalars(select(Job).where(Job.kind == "results_page"))
        assert job.params == {"by": "s1"}
        assert job.state == "queued"
        job_id = job.id
    # Asking again while it is queued does not start a second job.
    client.get(f"{BASE}/results?by=s1")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    monkeypatch.undo()
    monkeypatch.setattr(queue, "enqueue", lambda app, job_id: None)
    with app.app_context():
        assert jobs.run_job(db.session, queue.settings_for(app), job_id) == "done"
    fresh = client.get(f"{BASE}/results?by=s1").get_data(as_text=True)
    assert 'id="job-live"' not in fresh
    assert f"{completes + 2}" in fresh


def test_a_large_view_never_computed_is_computed_in_the_background(app, baro, as_role, monkeypatch):
    from surveyapp.jobs import queue

    monkeypatch.setattr(queue, "enqueue", lambda app, job_id: None)
    app.config["RESULTS_JOB_ROWS"] = 10
    _no_computing(monkeypatch)
    page = as_role("analyst").get(f"{BASE}/results?weighted=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "being computed in the background" in html
    assert 'id="job-live"' in html


def test_the_stale_page_counts_the_responses_once_and_formats_no_table_number(
    app, baro, as_role, monkeypatch
):
    """The stale page's cost at 100,000 responses is its aggregate over the responses: it runs
    one (the key's fingerprint, whose count is also the refresh job's total), and the numbers
    of its tables were formatted with the figures, not by Babel in the request."""
    from babel.numbers import NumberPattern
    from sqlalchemy import event

    from surveyapp.jobs import queue
    from surveyapp.models import Job, Survey
    from tests.results.helpers import store

    monkeypatch.setattr(queue, "enqueue", lambda app, job_id: None)
    client = as_role("analyst", "fr")
    completes = sum(1 for _a, status, _e in filled_responses() if status == "complete")
    client.get(f"{BASE}/results?by=s1")
    app.config["RESULTS_JOB_ROWS"] = 10
    extra = [r for r in filled_responses() if r[1] == "complete"][:2]
    with app.app_context():
        store(db.session, db.session.scalar(select(Survey)), extra, start=7000)
        engine = db.engine
    statements: list[str] = []
    formatted: list[object] = []
    apply = NumberPattern.apply

    def counting_apply(self, value, *args, **kwargs):
        formatted.append(value)
        return apply(self, value, *args, **kwargs)

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    monkeypatch.setattr(NumberPattern, "apply", counting_apply)
    event.listen(engine, "before_cursor_execute", record)
    try:
        html = client.get(f"{BASE}/results?by=s1").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert 'id="job-live"' in html
    aggregates = [s for s in statements if "FROM responses" in s and "count(" in s.lower()]
    assert len(aggregates) == 1, aggregates
    # The refresh note's progress (one percentage and two counts) is all Babel formats.
    assert len(formatted) <= 3, formatted
    assert "\u202f%" in html
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "results_page"))
        assert job.total == completes + 2
