"""Jobs as use cases: one job per identical request, a run writes one complete file, progress
is written while it runs, a lost lease stops a run, dead workers' jobs run again once."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import openpyxl
import pytest
from flask_babel import force_locale

from surveyapp.extensions import db
from surveyapp.jobs import kinds
from surveyapp.models import Job, Survey, utcnow
from surveyapp.services import jobs
from surveyapp.services.audit import Actor
from tests.jobs.helpers import add_responses

ACTOR = Actor("user", "analyst@example.org")


def _s(survey) -> Survey:
    """The survey in the current session."""
    return db.session.get(Survey, survey.id)


def _run(app, settings, job_id):
    with app.app_context():
        return jobs.run_job(db.session, settings, job_id)


def _job(app, job_id) -> Job:
    with app.app_context():
        return db.session.get(Job, job_id)


def test_csv_job_writes_every_response_once(app, demo_survey, settings):
    with app.app_context():
        add_responses(db.session, demo_survey, 1200)
        job, new = jobs.create_job(db.session, _s(demo_survey), "csv", {"preset": "plain"}, ACTOR)
        first, total = job.id, job.total
        again, second = jobs.create_job(
            db.session, _s(demo_survey), "csv", {"preset": "plain"}, ACTOR
        )
    assert new
    assert not second
    assert again.id == first
    assert total == 1200
    assert _run(app, settings, again.id) == "done"
    assert _run(app, settings, job.id) == "skipped"  # a duplicate queue message does nothing
    done = _job(app, job.id)
    assert (done.state, done.done, done.attempts) == ("done", 1200, 1)
    files = sorted(p.name for p in (settings.folder / str(demo_survey.id)).iterdir())
    assert files == [f"{job.id}.csv"]
    rows = list(csv.reader(io.StringIO((settings.folder / done.file_path).read_text())))
    assert len(rows) == 1201
    assert rows[0][0] == "response_id"
    assert done.file_name.startswith("demo_responses_")
    assert done.file_name.endswith(".csv")


def test_sav_and_results_jobs_write_readable_files(app, demo_survey, settings):
    with app.app_context():
        add_responses(db.session, demo_survey, 300)
        sav = jobs.create_job(db.session, _s(demo_survey), "sav", {"lang": "en"}, ACTOR)[0].id
        book = jobs.create_job(db.session, _s(demo_survey), "results", {"lang": "en"}, ACTOR)[0].id
    assert _run(app, settings, sav) == "done"
    assert _run(app, settings, book) == "done"
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(settings.folder / _job(app, sav).file_path))
    assert len(frame) == 300
    workbook = openpyxl.load_workbook(settings.folder / _job(app, book).file_path)
    assert len(workbook.sheetnames) > 1
    assert _job(app, book).done == 300


def test_bad_options_are_refused_in_words(app, demo_survey):
    with app.app_context(), pytest.raises(jobs.JobError, match="status must be"):
        jobs.create_job(db.session, _s(demo_survey), "csv", {"status": "nonsense"}, ACTOR)
    with app.app_context(), pytest.raises(jobs.JobError, match="kind must be one of"):
        jobs.create_job(db.session, _s(demo_survey), "pdf", {}, ACTOR)


@pytest.fixture
def stepped(monkeypatch):
    """A job type that advances one unit each time the test lets it (to watch progress)."""
    go, steps = threading.Semaphore(0), 4

    def run(ctx):
        for _ in range(steps):
            assert go.acquire(timeout=10)
            ctx.advance(1)
        ctx.path.write_bytes(b"done\n")

    kind = kinds.JobKind("stepped", "Stepped", "txt", "text/plain", lambda *a: steps, run, "t")
    monkeypatch.setitem(kinds.KINDS, "stepped", kind)
    return go


def _wait_for(predicate, timeout=10.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_progress_is_written_while_the_job_runs(app, demo_survey, settings, stepped):
    settings = jobs.JobSettings(settings.folder, lease_seconds=0.3)
    with app.app_context():
        job, _new = jobs.create_job(db.session, _s(demo_survey), "stepped", {}, ACTOR)
    runner = threading.Thread(target=_run, args=(app, settings, job.id))
    runner.start()
    try:
        seen = []
        for step in range(1, 5):
            stepped.release()
            assert _wait_for(lambda s=step: _job(app, job.id).done == s), f"progress {step}"
            current = _job(app, job.id)
            seen.append((current.state, current.done, current.file_path))
        assert seen[:3] == [("running", 1, None), ("running", 2, None), ("running", 3, None)]
    finally:
        for _ in range(4):
            stepped.release()
        runner.join(10)
    assert _job(app, job.id).state == "done"


def test_a_run_that_lost_its_lease_stops_without_a_file(app, demo_survey, settings, stepped):
    settings = jobs.JobSettings(settings.folder, lease_seconds=0.3)
    with app.app_context():
        job, _new = jobs.create_job(db.session, _s(demo_survey), "stepped", {}, ACTOR)
    result = []
    runner = threading.Thread(target=lambda: result.append(_run(app, settings, job.id)))
    runner.start()
    stepped.release()
    assert _wait_for(lambda: _job(app, job.id).done == 1)
    with app.app_context():  # the watchdog of another worker took it over (attempt 2)
        db.session.get(Job, job.id).state = "queued"
        db.session.commit()
        assert jobs.claim(db.session, job.id) == 2
    for _ in range(4):
        stepped.release()
    runner.join(10)
    assert result == ["skipped"]
    assert not list((settings.folder / str(demo_survey.id)).glob("*"))  # no file, no .part
    assert _job(app, job.id).state == "running"  # still the second run's


def test_dead_workers_jobs_run_again_once_then_fail_in_words(app, demo_survey, settings):
    with app.app_context():
        add_responses(db.session, demo_survey, 10)
        job, _new = jobs.create_job(db.session, _s(demo_survey), "csv", {}, ACTOR)
        assert jobs.claim(db.session, job.id) == 1  # a worker took it, then died
        later = utcnow() + timedelta(seconds=settings.lease_seconds + 1)
        assert jobs.requeue_stale(db.session, settings, later) == [job.id]
        assert jobs.claim(db.session, job.id) == 2  # the second run dies too
        later += timedelta(seconds=settings.lease_seconds + 1)
        assert jobs.requeue_stale(db.session, settings, later) == []
        failed = db.session.get(Job, job.id, populate_existing=True)
        assert (failed.state, failed.error) == ("failed", "worker_lost")
        with force_locale("fr"):
            assert "Le programme" in jobs.error_words(failed)
        with force_locale("en"):
            assert "The worker running this job stopped twice" in jobs.error_words(failed)


def test_prune_deletes_old_jobs_and_folders_of_deleted_surveys(app, demo_survey, settings):
    with app.app_context():
        job, _new = jobs.create_job(db.session, _s(demo_survey), "csv", {}, ACTOR)
    assert _run(app, settings, job.id) == "done"
    path = settings.folder / _job(app, job.id).file_path
    orphan = settings.folder / "999999"
    orphan.mkdir()
    (orphan / "1.csv").write_text("x")
    with app.app_context():
        assert jobs.prune(db.session, settings) == 0  # recent: kept
        assert path.exists()
        assert not orphan.exists()
        later = utcnow() + timedelta(days=settings.retention_days + 1)
        assert jobs.prune(db.session, settings, later) == 1
    assert not path.exists()
    assert _job(app, job.id) is None
