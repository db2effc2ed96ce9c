"""Start real gunicorn servers on 127.0.0.1 for concurrency, fault and browser tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(
    base_url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None
) -> None:
    """Poll /healthz until it answers 200; fail after `timeout` s or when `proc` exits.

    The patience is for loaded machines (parallel workers, other jobs): a gunicorn whose app
    import waits for the CPU took over 30 s there. A server that dies fails at once."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before it was healthy")
        try:
            response = requests.get(f"{base_url}/healthz", timeout=2)
            if response.status_code == 200:
                return
            last = response.status_code
        except requests.RequestException as exc:
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{base_url} did not become healthy: {last}")


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment for a server process on `database_url`."""
    env = os.environ.copy()
    env.update(
        SURVEYAPP_DATABASE_URL=database_url,
        SURVEYAPP_SECRET_KEY="test-secret-key-for-servers",
        SURVEYAPP_ENV="development",
        SURVEYAPP_LOG_LEVEL="WARNING",
        # Load, fault and browser runs start hundreds of responses from 127.0.0.1; the
        # per-client start limit has its own tests (tests/admin/test_stuffing.py).
        SURVEYAPP_RESPONDENT_START_LIMIT="off",
    )
    env.update(extra)
    return env


def create_user(database_url: str, email: str, role: str, password: str) -> None:
    """An account made as an operator makes it: `surveyapp user create … --password-stdin`."""
    subprocess.run(
        [str(VENV_BIN / "surveyapp"), "user", "create", email, "--role", role, "--password-stdin"],
        input=password + "\n",
        text=True,
        env=app_env(database_url),
        cwd=REPO,
        check=True,
        capture_output=True,
    )


@contextmanager
def gunicorn(
    database_url: str,
    *,
    workers: int = 2,
    args: tuple[str, ...] = (),
    log_path: Path | None = None,
    config: str = "python:surveyapp.gunicorn_conf",
    app: str = "surveyapp:create_app()",
    **env_extra: str,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `surveyapp:create_app()` under gunicorn with our settings; yields (base URL, process)."""
    port = free_port()
    env = app_env(
        database_url,
        SURVEYAPP_BIND=f"127.0.0.1:{port}",
        SURVEYAPP_WORKERS=str(workers),
        **env_extra,
    )
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-c",
            config,
            *args,
            app,
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, proc=proc)
        yield base, proc
    finally:
        stop(proc)
        if log_path:
            log.close()


def spawn(args: list[str], env: dict[str, str] | None, log: Path) -> subprocess.Popen:
    """A server process (gunicorn, a job worker, HAProxy) in its own process group, run from the
    repository, its output to `log` (the child keeps its own descriptor); end it with `stop`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            args, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop a server and its workers: TERM, then KILL after `timeout`."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@contextmanager
def fresh_database(tmp: Path, label: str = "srv") -> Iterator[str]:
    """A database of its own for a server, migrated to head: a SQLite file, or (when the suite
    runs on PostgreSQL) a new PostgreSQL database beside the test database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from surveyapp.database import engine_for_url
    from surveyapp.services import migrations

    shared = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    admin = None
    if shared and shared.startswith("postgresql"):
        url = make_url(shared)
        name = f"{url.database}_{label}_{os.getpid()}_{free_port()}"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp / f'{label}.db'}"
    engine = engine_for_url(target)
    migrations.upgrade(engine)
    engine.dispose()
    try:
        yield target
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def load_and_open(database_url: str, schema_path: Path) -> str:
    """Load a schema into a server database and open its fieldwork; returns the slug."""
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.services import surveys
    from surveyapp.services.audit import Actor

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        result = surveys.load_schema_file(db.session, schema_path, Actor("system", "tests"))
        surveys.set_state(db.session, result.survey, "open", Actor("system", "tests"))
        slug = result.survey.slug
    db.dispose(app)
    return slug
