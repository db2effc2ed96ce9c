"""The container's start-up path: `python -m surveyapp.entrypoint` migrates, then runs gunicorn."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import requests
from sqlalchemy import create_engine, inspect

from tests.support.servers import REPO, app_env, free_port, wait_for_health


@pytest.mark.slow
def test_entrypoint_migrates_then_serves(tmp_path):
    url = f"sqlite:///{tmp_path / 'container.db'}"
    port = free_port()
    env = app_env(
        url,
        SURVEYAPP_BIND=f"127.0.0.1:{port}",
        SURVEYAPP_WORKERS="1",
        SURVEYAPP_ENV="production",
        SURVEYAPP_LOAD_BUNDLED="1",
        SURVEYAPP_INSTANCE_PATH=str(tmp_path),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "surveyapp.entrypoint"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}", proc=proc)
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["status"] == "ok"
        tables = set(inspect(create_engine(url)).get_table_names())
        assert {"responses", "surveys", "alembic_version"} <= tables
        # gunicorn replaced the entrypoint process (exec): the pid is the master's.
        with open(f"/proc/{proc.pid}/cmdline", "rb") as cmdline:
            assert b"gunicorn" in cmdline.read()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=20)[0].decode()
    assert "entrypoint: database at" in output
    assert "survey barometre-2015" in output


def test_production_refuses_to_start_without_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SURVEYAPP_SECRET_KEY"}
    env.update(
        SURVEYAPP_ENV="production",
        SURVEYAPP_INSTANCE_PATH=str(tmp_path),
        SURVEYAPP_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
    )
    result = subprocess.run(
        [sys.executable, "-m", "surveyapp.entrypoint"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SURVEYAPP_SECRET_KEY is required in production" in result.stderr


def test_entrypoint_worker_runs_the_job_worker(tmp_path):
    env = app_env(f"sqlite:///{tmp_path / 'x.db'}", SURVEYAPP_INSTANCE_PATH=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "surveyapp.entrypoint", "worker", "--help"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Run background jobs until stopped" in result.stdout
    assert not (tmp_path / "x.db").exists()  # the worker does not migrate
