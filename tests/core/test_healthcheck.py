"""The container's HEALTHCHECK (python -m surveyapp.healthcheck) follows SURVEYAPP_BIND."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from surveyapp.healthcheck import health_url
from tests.support.servers import REPO, free_port, fresh_database, gunicorn


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("0.0.0.0:8000", "http://127.0.0.1:8000/healthz"),
        ("0.0.0.0:9123", "http://127.0.0.1:9123/healthz"),
        ("127.0.0.1:5000", "http://127.0.0.1:5000/healthz"),
        ("[::]:8080", "http://[::1]:8080/healthz"),
        ("10.0.0.5:81 0.0.0.0:82", "http://10.0.0.5:81/healthz"),
        ("localhost", "http://localhost:8000/healthz"),
        ("", "http://127.0.0.1:8000/healthz"),
        ("unix:/run/surveyapp.sock", None),
    ],
)
def test_health_url_of_a_bind(bind, url):
    assert health_url(bind) == url


def _check(bind: str) -> int:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO)}
    env["SURVEYAPP_BIND"] = bind
    cmd = [sys.executable, "-m", "surveyapp.healthcheck"]
    return subprocess.run(cmd, env=env, capture_output=True, timeout=60).returncode


@pytest.mark.slow
def test_checks_the_port_the_server_listens_on(tmp_path):
    with fresh_database(tmp_path) as url, gunicorn(url, workers=1) as (base_url, _):
        port = base_url.rsplit(":", 1)[1]
        assert _check(f"0.0.0.0:{port}") == 0
        assert _check(f"0.0.0.0:{free_port()}") == 1
