"""Background jobs as use cases: ask for one, run it (in a worker), follow it, prune old ones.

A run is guarded by a lease: the worker claims the job with a conditional UPDATE
(queued -> running, attempts + 1) and a heartbeat thread renews `heartbeat_at` (and writes the
progress) about once a second. A job whose heartbeat is older than the lease belongs to a dead
worker: the watchdog queues it again once, then fails it ("worker_lost"). Every write of a run
is conditional on its attempt number, so a worker that lost its lease cannot finish the job.
The file is written as `<id>.<attempt>.part` beside its final name and renamed (atomic on one
file system) before the job is marked done: a half file is never served, and a job that runs
twice still leaves one file.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from surveyapp.domain import JobState
from surveyapp.jobs.kinds import ERRORS, KINDS, JobFailure, JobKind, RunContext
from surveyapp.models import Job, Survey, utcnow
from surveyapp.services.audit import Actor, record
from surveyapp.services.sqlutil import affected, bound_engine, present
from surveyapp.services.transaction import begin_write

log = logging.getLogger("surveyapp.jobs")

#: A run is started at most this many times (the first run and one re-run).
MAX_ATTEMPTS = 2
ACTIVE = (JobState.QUEUED, JobState.RUNNING)


class JobError(ValueError):
    """A job request that cannot be served (unknown type, bad options)."""


@dataclass(frozen=True, slots=True)
class JobSettings:
    """Where files go and how long a lease lasts (from the app config)."""

    folder: Path
    lease_seconds: float = 30.0
    retention_days: int = 7

    @property
    def beat_seconds(self) -> float:
        """How often a running job writes its progress and renews its lease."""
        return min(1.0, self.lease_seconds / 3)


# ----------------------------------------------------------------------------- asking
def create_job(
    session: Session,
    survey: Survey,
    kind: str,
    params: Mapping[str, str],
    actor: Actor,
    total: int | None = None,
) -> tuple[Job, bool]:
    """A job for `survey`; an identical one still queued or running is returned instead of
    a second one (the flag says whether a new job was made). The caller enqueues new jobs.
    `total`: its size when the caller has just counted it (the kind's own count is skipped)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise JobError(f"kind must be one of {', '.join(KINDS)}")
    clean = {str(k): str(v) for k, v in params.items() if v not in (None, "")}
    if total is None:
        try:
            total = spec.total(session, survey, clean)
        except JobFailure as exc:
            raise JobError(exc.detail or exc.code) from exc
    survey_id, slug = survey.id, survey.slug
    begin_write(session)
    same = session.scalars(
        select(Job).where(Job.survey_id == survey_id, Job.kind == kind, Job.state.in_(ACTIVE))
    ).all()
    for job in same:
        if job.params == clean:
            session.commit()
            return job, False
    job = Job(
        survey_id=survey_id,
        kind=kind,
        params=clean,
        total=total,
        created_by_type=actor.kind,
        created_by=actor.name,
    )
    session.add(job)
    session.flush()
    record(session, actor, "job.create", survey_id=survey_id, target=slug, details={
        "job": job.id, "kind": kind, "params": clean,
    })  # fmt: skip
    session.commit()
    return job, True


def get_job(session: Session, survey: Survey, job_id: int) -> Job | None:
    """The job `job_id` of `survey`, or None."""
    job = session.get(Job, job_id)
    return job if job is not None and job.survey_id == survey.id else None


def survey_jobs(session: Session, survey: Survey, limit: int = 50) -> list[Job]:
    """The survey's latest jobs, newest first."""
    stmt = select(Job).where(Job.survey_id == survey.id).order_by(Job.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def kind_of(job: Job) -> JobKind:
    """The job's type."""
    return KINDS[job.kind]


def error_words(job: Job) -> str | None:
    """Why the job failed, in the current locale."""
    if job.error is None:
        return None
    message = ERRORS.get(job.error, ERRORS["internal"])
    return (
        str(message) % {"detail": job.error_text or ""}
        if job.error == "bad_options"
        else (str(message))
    )


def file_path(settings: JobSettings, job: Job) -> Path | None:
    """The finished file of a done job, or None."""
    if job.state != JobState.DONE or not job.file_path:
        return None
    path = settings.folder / job.file_path
    return path if path.is_file() else None


def record_download(session: Session, job: Job, actor: Actor, slug: str) -> None:
    """Audit a download of a job's file."""
    begin_write(session)
    record(session, actor, "job.download", survey_id=job.survey_id, target=slug, details={
        "job": job.id, "kind": job.kind,
    })  # fmt: skip
    session.commit()


# ----------------------------------------------------------------------------- running
class LeaseLost(Exception):
    """Another worker took the job over: stop without touching it."""


class Heartbeat:
    """A thread writing a run's progress and renewing its lease; `advance` counts work."""

    def __init__(self, engine: Engine, job_id: int, attempt: int, every: float) -> None:
        self.engine, self.job_id, self.attempt, self.every = engine, job_id, attempt, every
        self.done = 0
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"job-{job_id}-beat", daemon=True)

    def advance(self, units: int) -> None:
        """`units` more done; raises LeaseLost when another worker owns the job now."""
        self.done += units
        if self.lost:
            raise LeaseLost(self.job_id)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> None:
        """Write the progress and renew the lease now."""
        stmt = (
            update(Job)
            .where(
                Job.id == self.job_id, Job.state == JobState.RUNNING, Job.attempts == self.attempt
            )
            .values(done=self.done, heartbeat_at=utcnow())
        )
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn:
            with conn.begin():
                if conn.execute(stmt).rowcount != 1:
                    self.lost = True

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.beat()
            except Exception:  # a database hiccup: try again at the next beat
                log.warning("job %s: heartbeat failed", self.job_id, exc_info=True)


def claim(session: Session, job_id: int) -> int | None:
    """Take a queued job: its attempt number, or None when it is not queued (any more)."""
    now = utcnow()
    begin_write(session)
    taken = affected(
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.QUEUED)
            .values(
                state=JobState.RUNNING,
                attempts=Job.attempts + 1,
                started_at=now,
                heartbeat_at=now,
                done=0,
            )
        )
    )
    attempt = session.scalar(select(Job.attempts).where(Job.id == job_id)) if taken else None
    session.commit()
    return attempt


def _finish(session: Session, job_id: int, attempt: int, **values: Any) -> bool:
    begin_write(session)
    changed = affected(
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.RUNNING, Job.attempts == attempt)
            .values(finished_at=utcnow(), **values)
        )
    )
    session.commit()
    return changed == 1


def run_job(session: Session, settings: JobSettings, job_id: int) -> str:
    """Run a queued job to its end (in a worker); returns its final state, or "skipped"."""
    attempt = claim(session, job_id)
    if attempt is None:
        return "skipped"
    job = present(session.get(Job, job_id), f"job {job_id}")
    survey = present(session.get(Survey, job.survey_id), f"survey {job.survey_id}")
    spec = KINDS[job.kind]
    folder = settings.folder / str(job.survey_id)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{job.id}.{spec.extension}"
    part = folder / f"{job.id}.{attempt}.part"
    for leftover in folder.glob(f"{job.id}.*.part"):  # of a run whose worker died
        leftover.unlink(missing_ok=True)
    actor = Actor(job.created_by_type, job.created_by)
    params, slug = dict(job.params), survey.slug
    beat = Heartbeat(bound_engine(session), job_id, attempt, settings.beat_seconds)
    try:
        with beat:
            ctx = RunContext(session, survey, params, actor, part, beat.advance)
            spec.run(ctx)
            _sync(part)
            beat.beat()
            if beat.lost:
                raise LeaseLost(job_id)
            os.replace(part, final)
        name = f"{slug}_{spec.stem}_{utcnow():%Y-%m-%d}.{spec.extension}"
        size = final.stat().st_size
        relative = str(final.relative_to(settings.folder))
        values = {"state": JobState.DONE, "done": beat.done, "file_path": relative}
        ok = _finish(session, job_id, attempt, file_name=name, file_size=size, **values)
        return "done" if ok else "skipped"
    except LeaseLost:
        log.warning("job %s attempt %s: lease lost, another worker runs it", job_id, attempt)
        session.rollback()
        return "skipped"
    except JobFailure as exc:
        session.rollback()
        _finish(
            session, job_id, attempt, state=JobState.FAILED, error=exc.code, error_text=exc.detail
        )
        return "failed"
    except Exception as exc:
        log.exception("job %s attempt %s failed", job_id, attempt)
        session.rollback()
        detail = f"{type(exc).__name__}: {exc}"[:2000]
        _finish(
            session, job_id, attempt, state=JobState.FAILED, error="internal", error_text=detail
        )
        return "failed"
    finally:
        part.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


# ----------------------------------------------------------------------------- watchdog
def requeue_stale(
    session: Session, settings: JobSettings, now: datetime | None = None
) -> list[int]:
    """Jobs whose worker stopped renewing the lease: queued again (ids returned) while they
    have attempts left, else failed as "worker_lost"."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=settings.lease_seconds)
    begin_write(session)
    stale = session.execute(
        select(Job.id, Job.attempts).where(Job.state == JobState.RUNNING, Job.heartbeat_at < cutoff)
    ).all()
    again = []
    for job_id, attempts in stale:
        guard = (Job.id == job_id, Job.state == JobState.RUNNING, Job.attempts == attempts)
        if attempts < MAX_ATTEMPTS:
            session.execute(update(Job).where(*guard).values(state=JobState.QUEUED))
            again.append(job_id)
        else:
            session.execute(
                update(Job)
                .where(*guard)
                .values(state=JobState.FAILED, error="worker_lost", finished_at=now)
            )
    session.commit()
    if stale:
        log.warning("stale jobs: queued again %s, failed %s", again, len(stale) - len(again))
    return again


def queued_ids(session: Session) -> list[int]:
    """Jobs waiting for a worker (re-enqueued when a worker starts: a queue may have lost
    them; running one twice is harmless, the claim lets one run through)."""
    ids = list(session.scalars(select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id)))
    session.rollback()
    return ids


def prune(session: Session, settings: JobSettings, now: datetime | None = None) -> int:
    """Delete finished jobs older than the retention and their files, and the folders of
    surveys that no longer exist; returns the number of jobs deleted."""
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.retention_days)
    begin_write(session)
    old = session.scalars(
        select(Job).where(Job.state.in_((JobState.DONE, JobState.FAILED)), Job.finished_at < cutoff)
    ).all()
    for job in old:
        if job.file_path:
            (settings.folder / job.file_path).unlink(missing_ok=True)
        session.delete(job)
    surveys = {str(i) for i in session.scalars(select(Survey.id))}
    session.commit()
    if settings.folder.is_dir():
        for child in settings.folder.iterdir():
            if child.is_dir() and child.name.isdigit() and child.name not in surveys:
                shutil.rmtree(child, ignore_errors=True)
    return len(old)
