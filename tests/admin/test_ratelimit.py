"""Login throttling: per-account and per-route limits, shared storage, and across real workers.

The `slow` tests start gunicorn with 3 workers and hammer the login through fresh connections:
with Redis (and with the SQLite counter file) the 11th attempt within a minute is refused
whichever worker serves it; with `memory://` each worker counts alone and more than 10 attempts
get through — the same harness failing proves it can see the difference (RELIABILITY A-4).
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import limits.storage.memory
import limits.strategies
import pytest

from surveyapp import create_app
from surveyapp.auth import ratelimit
from surveyapp.auth.ratelimit_storage import SCHEME, SQLiteWindowStorage
from surveyapp.extensions import db
from tests.admin.helpers import PASSWORD, csrf_from, login


def _attempts(client, email: str, n: int, password: str = "wrong password") -> list[int]:
    return [login(client, email, password).status_code for _ in range(n)]


def test_eleventh_attempt_for_an_account_is_refused_and_others_keep_their_budget(app, users):
    client = app.test_client()
    statuses = _attempts(client, "admin@example.org", 12)
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    # Case and spaces do not make a new budget.
    assert login(client, "  ADMIN@example.org ", PASSWORD).status_code == 429
    # Another account, same client (same address): its own budget.
    assert login(client, "study@example.org", PASSWORD).status_code == 303


class _Clock:
    """A wall clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


def test_the_limit_ends_with_its_window(app, users, monkeypatch):
    # The window runs on a clock the test moves: on a loaded machine (parallel test workers)
    # three password checks took longer than the window itself, and the third went through.
    clock = _Clock()
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(limits.strategies, "time", clock)
    app.config["LOGIN_RATE_LIMIT"] = "2 per 2 seconds"
    client = app.test_client()
    assert _attempts(client, "admin@example.org", 3) == [200, 200, 429]
    clock.now += 1.9
    assert _attempts(client, "admin@example.org", 1) == [429]  # still inside the window
    clock.now += 0.2
    assert login(client, "admin@example.org", PASSWORD).status_code == 303


def test_global_limit_over_many_addresses(app, users):
    app.config["LOGIN_GLOBAL_RATE_LIMIT"] = "5 per minute"
    client = app.test_client()
    statuses = [login(client, f"user{i}@example.org", "x").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


def test_rate_limit_keys_hold_no_address(app):
    with app.test_request_context(
        "/admin/login",
        method="POST",
        data={"email": "Someone@Example.org"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    ):
        key = ratelimit.login_email_key()
        assert "someone" not in key.lower()
        assert "203.0.113.7" not in key
        assert key == ratelimit.login_email_key()


def test_memory_storage_outside_tests_is_warned_about(monkeypatch, tmp_path):
    warnings = []
    monkeypatch.setattr(ratelimit.log, "warning", lambda *a, **k: warnings.append(a))
    app = create_app(
        {
            "SECRET_KEY": "x",
            "ENV_NAME": "development",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    assert warnings
    assert "ratelimit_storage_not_shared" in warnings[0][0]
    db.dispose(app)
    warnings.clear()
    app = create_app(
        {
            "SECRET_KEY": "x",
            "ENV_NAME": "development",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "RATELIMIT_STORAGE_URI": f"{SCHEME}:///{tmp_path / 'rl.sqlite'}",
        }
    )
    assert warnings == []
    db.dispose(app)


def test_default_storage_is_the_shared_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_RATELIMIT_STORAGE_URL", raising=False)
    from surveyapp.config import load_config

    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert config["RATELIMIT_STORAGE_URI"] == f"{SCHEME}:///{tmp_path / 'ratelimit.sqlite'}"


def test_sqlite_window_storage_is_shared_expires_and_hashes_keys(tmp_path):
    uri = f"{SCHEME}:///{tmp_path / 'rl.sqlite'}"
    one, two = SQLiteWindowStorage(uri), SQLiteWindowStorage(uri)  # as two processes would
    assert one.check()
    assert [
        one.incr("login-email:abc", 1),
        two.incr("login-email:abc", 1),
        one.incr("login-email:abc", 1),
    ] == [1, 2, 3]
    assert two.get("login-email:abc") == 3
    assert one.get_expiry("login-email:abc") > time.time()
    assert one.get("other") == 0
    raw = (tmp_path / "rl.sqlite").read_bytes()
    assert b"login-email" not in raw
    time.sleep(1.05)
    assert one.get("login-email:abc") == 0
    assert two.incr("login-email:abc", 60) == 1  # a new window
    one.clear("login-email:abc")
    assert two.get("login-email:abc") == 0
    two.incr("x", 60)
    assert one.reset() == 1


def test_sqlite_storage_needs_a_path():
    with pytest.raises(ValueError, match="file path"):
        SQLiteWindowStorage(f"{SCHEME}://")


# --------------------------------------------------------------------------- real workers

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    from tests.support.servers import REPO, VENV_BIN

    subprocess.run(
        [str(VENV_BIN / "surveyapp"), *args],
        cwd=REPO,
        env=env,
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )


def _attempt(base: str, email: str, password: str) -> int:
    import requests

    with requests.Session() as browser:  # a fresh connection for every attempt
        page = browser.get(f"{base}/admin/login", timeout=10, headers={"Connection": "close"})
        token = CSRF.search(page.text).group(1)
        response = browser.post(
            f"{base}/admin/login",
            timeout=20,
            allow_redirects=False,
            headers={"Connection": "close"},
            data={"email": email, "password": password, "csrf_token": token},
        )
        return response.status_code


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _storage_uri(kind: str, tmp_path) -> str:
    if kind == "redis":
        if not _redis_available():
            pytest.skip("no Redis on 127.0.0.1:6379 (.ci/services starts one)")
        return "redis://127.0.0.1:6379/4"  # not 3: the two-host test flushes it, maybe meanwhile
    if kind == "sqlite":
        return f"{SCHEME}:///{tmp_path / 'ratelimit.sqlite'}"
    return "memory://"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("storage", "holds"), [("redis", True), ("sqlite", True), ("memory", False)]
)
def test_login_limit_across_gunicorn_workers(tmp_path, storage, holds):
    from tests.support.servers import app_env, gunicorn

    database_url = f"sqlite:///{tmp_path / 'app.db'}"
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    extra = {
        "SURVEYAPP_RATELIMIT_STORAGE_URL": _storage_uri(storage, tmp_path),
        "SURVEYAPP_RATELIMIT_KEY_PREFIX": prefix,
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path),
    }
    env = app_env(database_url, **extra)
    _run_cli(env, "db", "upgrade")
    for email in ("victim@example.org", "bystander@example.org"):
        _run_cli(
            env,
            "user",
            "create",
            email,
            "--role",
            "admin",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
    attempts = 30
    with (
        gunicorn(database_url, workers=3, log_path=tmp_path / "gunicorn.log", **extra) as (
            base,
            _proc,
        ),
        ThreadPoolExecutor(max_workers=6) as pool,
    ):
        statuses = list(
            pool.map(lambda _: _attempt(base, "victim@example.org", "nope!"), range(attempts))
        )
        bystander = _attempt(base, "bystander@example.org", PASSWORD)
    refused = statuses.count(429)
    passed = attempts - refused
    assert set(statuses) <= {200, 429}, statuses
    assert bystander == 303  # another account keeps its own budget
    if holds:
        assert (passed, refused) == (10, 20), statuses
    else:
        # Per-worker counters: the limit is multiplied by the number of workers serving.
        assert passed > 10, statuses


# --------------------------------------------------------------------------- store down


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:  # bound then closed: nothing listens there any more
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_without_redis(database_url, tmp_path):
    """The app with its login counters on a Redis URL where nothing answers."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{_closed_port()}/1",
        }
    )
    yield app
    db.dispose(app)


@pytest.fixture
def auth_log():
    """Records of the `surveyapp.auth` logger (it does not propagate to pytest's caplog)."""
    import logging

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("surveyapp.auth")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "Service momentanément indisponible"), ("en", "Service temporarily unavailable")],
)
def test_login_answers_503_when_the_counter_store_is_down(
    app_without_redis, auth_log, language, text
):
    client = app_without_redis.test_client()
    headers = {"Accept-Language": language}
    page = client.get("/admin/login", headers=headers)
    assert page.status_code == 200  # the form itself needs no counter
    started = time.monotonic()
    response = client.post(
        "/admin/login",
        headers=headers,
        data={
            "email": "admin@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.data),
        },
    )
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert f'lang="{language}"' in html
    assert text in html
    lines = [r.getMessage() for r in auth_log]
    assert len(lines) == 1, lines
    assert lines[0].startswith("event=ratelimit_storage_unavailable endpoint=auth.login")
    assert "\n" not in lines[0]
    assert "admin@example.org" not in lines[0]
    json = client.post(
        "/admin/login",
        headers={**headers, "Accept": "application/json"},
        data={
            "email": "admin@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.data),
        },
    )
    assert json.status_code == 503
    assert json.get_json()["status"] == 503


def test_redis_store_gets_short_timeouts_and_wrapped_errors():
    options = ratelimit.storage_options("redis://127.0.0.1:6379/1")
    assert options["wrap_exceptions"] is True
    assert options["socket_timeout"] <= 5
    assert options["socket_connect_timeout"] <= 5
    assert ratelimit.storage_options(f"{SCHEME}:////tmp/x.sqlite") == {"wrap_exceptions": True}
