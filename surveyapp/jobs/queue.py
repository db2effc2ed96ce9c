"""The job queue: Huey, on a SQLite file in the instance folder (embedded default) or Redis.

The queue only carries job ids; the state of record is the `jobs` table, so the queue may lose
or repeat a message: a worker re-enqueues queued jobs when it starts, the watchdog re-enqueues
jobs of dead workers, and a job runs only when its claim (queued -> running) succeeds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey

log = logging.getLogger("surveyapp.jobs")

_queues: dict[str, tuple[Huey, Callable[[int], object]]] = {}
_lock = threading.Lock()
#: The app a worker process runs jobs with (set by `run_worker`).
_worker_app: Flask | None = None


def queue_url(app: Flask) -> str:
    """SURVEYAPP_JOBS_URL, else the embedded SQLite queue beside the database."""
    return app.config.get("JOBS_QUEUE_URL") or (
        f"sqlite:///{Path(app.instance_path) / 'jobs-queue.sqlite'}"
    )


def is_embedded(app: Flask) -> bool:
    """True when the queue is the instance's SQLite file (one host; `serve` runs a worker)."""
    return queue_url(app).startswith("sqlite:")


def _build(url: str) -> Huey:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("surveyapp", url=url, results=False)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("surveyapp", filename=str(path), results=False)
    raise ValueError("SURVEYAPP_JOBS_URL must be redis://… or sqlite:///<file>")


def queue_for(app: Flask) -> tuple[Huey, Callable[[int], object]]:
    """The Huey instance of `app`'s queue URL and its `run_job` task (built once per URL)."""
    url = queue_url(app)
    with _lock:
        found = _queues.get(url)
        if found is None:
            huey = _build(url)
            task = huey.task(name="run_job", retries=0)(_run_job)
            found = _queues[url] = (huey, task)
    return found


def enqueue(app: Flask, job_id: int) -> None:
    """Put a job id on the queue."""
    _huey, task = queue_for(app)
    task(job_id)


def enqueue_new(app: Flask, job_id: int) -> None:
    """Put a new job on the queue; when the queue cannot be reached the job stays queued in
    the jobs table, and the next worker to start takes it (logged, never an error page)."""
    try:
        enqueue(app, job_id)
    except Exception:
        log.warning("job %s: could not be put on the queue", job_id)


def settings_for(app: Flask):
    """The job settings of `app` (folder, lease, retention)."""
    from surveyapp.services.jobs import JobSettings

    folder = app.config.get("JOBS_DIR") or str(Path(app.instance_path) / "jobs")
    return JobSettings(
        Path(folder),
        float(app.config.get("JOB_LEASE_SECONDS", 30)),
        int(app.config.get("JOB_RETENTION_DAYS", 7)),
    )


def _run_job(job_id: int) -> str:
    """The Huey task: run one job in an app context of the worker's app."""
    from surveyapp.extensions import db
    from surveyapp.services.jobs import run_job

    app = _worker_app
    if app is None:  # a consumer started without run_worker (huey_consumer)
        from surveyapp import create_app

        app = create_app()
    with app.app_context():
        state = run_job(db.session, settings_for(app), job_id)
    log.info("event=job_run job=%s state=%s", job_id, state)
    return state


# ----------------------------------------------------------------------------- worker
class Watchdog(threading.Thread):
    """Re-enqueues the jobs of dead workers (every half lease) and prunes old ones (hourly)."""

    def __init__(self, app: Flask) -> None:
        super().__init__(name="jobs-watchdog", daemon=True)
        self.app = app
        self.stopped = threading.Event()

    def run(self) -> None:
        settings = settings_for(self.app)
        pruned_at = time.monotonic()  # run_worker prunes once before starting this thread
        while not self.stopped.wait(max(0.2, settings.lease_seconds / 2)):
            due = time.monotonic() - pruned_at > 3600
            try:
                self.sweep(prune=due)
                if due:
                    pruned_at = time.monotonic()
            except Exception:
                log.warning("jobs watchdog: sweep failed", exc_info=True)

    def sweep(self, prune: bool = False) -> None:
        """One round: stale jobs queued again; old jobs pruned when asked."""
        from surveyapp.extensions import db
        from surveyapp.services import jobs

        settings = settings_for(self.app)
        with self.app.app_context():
            for job_id in jobs.requeue_stale(db.session, settings):
                enqueue(self.app, job_id)
            if prune:
                jobs.prune(db.session, settings)


def run_worker(app: Flask, workers: int = 2) -> None:
    """Run a worker until SIGINT/SIGTERM: `workers` threads taking jobs, and the watchdog."""
    global _worker_app
    from surveyapp.extensions import db
    from surveyapp.services import jobs

    _worker_app = app
    huey, _task = queue_for(app)
    with app.app_context():
        waiting = jobs.queued_ids(db.session)
    for job_id in waiting:
        enqueue(app, job_id)
    watchdog = Watchdog(app)
    watchdog.sweep(prune=True)
    watchdog.start()
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=False, max_delay=0.5, initial_delay=0.1
    )
    log.info("event=worker_start queue=%s workers=%s", queue_url(app).split("@")[-1], workers)
    try:
        consumer.run()
    finally:
        watchdog.stopped.set()
