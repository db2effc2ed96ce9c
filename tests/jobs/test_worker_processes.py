"""Real worker processes: a job survives `kill -9` of its worker (run again once, one complete
file, no half file), the embedded default runs everything from `surveyapp serve` with no
Redis, and production mode queues on Redis with a separate `surveyapp worker`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import select

from surveyapp.models import Job
from tests.faults.helpers import engine_on, worker_pids
from tests.support.servers import (
    REPO,
    app_env,
    free_port,
    fresh_database,
    load_and_open,
    spawn,
    stop,
    wait_for_health,
)

pytestmark = [pytest.mark.slow, pytest.mark.db]

DEMO = REPO / "tests" / "admin" / "fixtures" / "demo.yaml"
CLI = [sys.executable, "-m", "surveyapp.cli"]
REDIS_URL = os.environ.get("SURVEYAPP_TEST_JOBS_REDIS", "redis://127.0.0.1:6379/2")


def _fill(url: str, count: int) -> None:
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.models import Survey
    from tests.jobs.helpers import add_responses

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == "demo"))
        add_responses(db.session, survey, count)
    db.dispose(app)


@pytest.fixture
def site(tmp_path):
    """A migrated database with the demo survey, and an instance folder."""
    with fresh_database(tmp_path, "jobs") as url:
        load_and_open(url, DEMO)
        instance = tmp_path / "instance"
        instance.mkdir()
        yield url, instance


def _env(url: str, instance: Path, **extra: str) -> dict[str, str]:
    return app_env(url, SURVEYAPP_INSTANCE_PATH=str(instance), **extra)


def _cli(env, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


def _start_job(env, kind: str) -> int:
    result = _cli(env, "jobs", "start", "demo", "--kind", kind, "--no-wait")
    assert result.returncode == 0, result.stderr
    return int(re.search(r"job (\d+): queued", result.stderr).group(1))


def _worker(env, log: Path) -> subprocess.Popen:
    return spawn([*CLI, "worker", "--workers", "1"], env, log)


def _job(url: str, job_id: int) -> Job:
    from sqlalchemy.orm import Session

    with engine_on(url) as engine, Session(engine) as session:
        job = session.get(Job, job_id)
        session.expunge(job)
        return job


def _wait(url: str, job_id: int, predicate, timeout: float) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(url, job_id)
        if predicate(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id}: still {job.state} ({job.done}/{job.total})")


def test_a_job_survives_kill_9_of_its_worker(site, tmp_path):
    url, instance = site
    rows = 20000
    _fill(url, rows)
    env = _env(url, instance, SURVEYAPP_JOB_LEASE_SECONDS="2")
    job_id = _start_job(env, "csv")
    first = _worker(env, tmp_path / "worker1.log")
    try:
        _wait(url, job_id, lambda j: j.state == "running", 60)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    killed = _job(url, job_id)
    folder = instance / "jobs" / str(killed.survey_id)
    assert (killed.state, killed.attempts) == ("running", 1)  # killed mid-job
    assert not (folder / f"{job_id}.csv").exists()
    second = _worker(env, tmp_path / "worker2.log")
    try:
        done = _wait(url, job_id, lambda j: j.finished, 180)
    finally:
        stop(second)
    assert (done.state, done.attempts, done.done) == ("done", 2, rows)
    assert sorted(p.name for p in folder.iterdir()) == [f"{job_id}.csv"]  # one file, no .part
    lines = (folder / f"{job_id}.csv").read_bytes().count(b"\r\n")
    assert lines == rows + 1  # header + every response, once


def _child_workers(master: int) -> set[int]:
    return {
        pid
        for pid in worker_pids(master)
        if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    }


def test_embedded_default_serve_runs_jobs_without_redis(site, tmp_path):
    url, instance = site
    _fill(url, 50)
    env = _env(url, instance, SURVEYAPP_RATELIMIT_STORAGE_URL="", SURVEYAPP_JOBS_URL="")
    port = free_port()
    server = spawn(
        [*CLI, "serve", "--port", str(port), "--workers", "1"], env, tmp_path / "serve.log"
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}", timeout=90, proc=server)
        assert _child_workers(server.pid), "serve started no job worker"
        result = _cli(env, "jobs", "start", "demo", "--kind", "sav", "--wait", timeout=120)
        assert result.returncode == 0, result.stderr
        assert "done, 50 responses" in result.stdout
        assert (instance / "jobs-queue.sqlite").exists()
        helper = _child_workers(server.pid)
        server.send_signal(signal.SIGTERM)  # the master alone: it stops its job worker
        server.wait(30)
        for pid in helper:
            assert (
                not Path(f"/proc/{pid}").exists()
                or b"Z" in Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1][:3]
            )
    finally:
        stop(server)


def test_production_mode_queues_on_redis(site, tmp_path):
    url, instance = site
    _fill(url, 40)
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    env = _env(
        url,
        instance,
        SURVEYAPP_ENV="production",
        SURVEYAPP_JOBS_URL=REDIS_URL,
        SURVEYAPP_RATELIMIT_STORAGE_URL=REDIS_URL,
    )
    job_id = _start_job(env, "results")
    queued = [k for k in store.keys("*surveyapp*") if store.type(k) == b"list"]
    assert queued, "the job id is not on the Redis queue"
    assert sum(store.llen(k) for k in queued) == 1
    assert not (instance / "jobs-queue.sqlite").exists()
    worker = _worker(env, tmp_path / "worker.log")
    try:
        done = _wait(url, job_id, lambda j: j.finished, 120)
    finally:
        stop(worker)
    assert (done.state, done.done) == ("done", 40), (tmp_path / "worker.log").read_text()
    port = free_port()
    web = spawn(
        [sys.executable, "-m", "gunicorn", "-c", "python:surveyapp.gunicorn_conf",
         "surveyapp:create_app()"],
        {**env, "SURVEYAPP_BIND": f"127.0.0.1:{port}", "SURVEYAPP_WORKERS": "1"},
        tmp_path / "web.log",
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_health(base, timeout=90, proc=web)
        secret = _token(url)
        headers = {"Authorization": f"Bearer {secret}"}
        status = requests.get(f"{base}/admin/surveys/demo/jobs/{job_id}.json", headers=headers)
        body = requests.get(base + status.json()["download_url"], headers=headers, timeout=30)
        assert body.status_code == 200
        assert body.content[:2] == b"PK"  # the XLSX workbook written by the worker
    finally:
        stop(web)
    store.flushdb()


def _token(url: str) -> str:
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.services import accounts, tokens
    from surveyapp.services.audit import Actor

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
    actor = Actor("system", "test")
    with app.app_context():
        accounts.create_user(db.session, "ops@example.org", "analyst", "long pass phrase!", actor)
        secret = tokens.create_token(db.session, "ops@example.org", ["export"], None, 1, actor)
    db.dispose(app)
    return secret.secret
