"""The reverse-proxy setup of docs/operations.md does what it says: the nginx example's headers,
sent to an app configured as the `docker run` example configures it, give the app the
respondent's address (the start limit counts it) and the HTTPS scheme, whatever a client
forges; with the default `SURVEYAPP_PROXY_HOPS=0` every `X-Forwarded-*` header is ignored."""

from __future__ import annotations

import re
from pathlib import Path

from werkzeug.test import Client

from surveyapp import create_app
from tests.support.servers import REPO

OPERATIONS = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
NGINX = re.compile(r"^```nginx\n(.*?)^```", re.MULTILINE | re.DOTALL)
HEADER = re.compile(r"^\s*proxy_set_header\s+(\S+)\s+(\S+);", re.MULTILINE)
DOCKER_RUN = re.compile(r"^docker run .*?(?=^```)", re.MULTILINE | re.DOTALL)

CLIENT = "203.0.113.9"  # the respondent, as nginx sees it ($remote_addr)
FORGED = {"X-Forwarded-For": "198.51.100.66", "X-Forwarded-Proto": "http"}


def _nginx_headers() -> dict[str, str]:
    """The headers the documented nginx sends upstream for a client that forged FORGED."""
    (block,) = NGINX.findall(OPERATIONS)
    variables = {
        "$remote_addr": CLIENT,
        "$scheme": "https",
        "$host": "survey.example.org",
        "$proxy_add_x_forwarded_for": f"{FORGED['X-Forwarded-For']}, {CLIENT}",
    }
    headers = dict(FORGED)  # nginx passes on the client's headers it does not set
    for name, value in HEADER.findall(block):
        headers[name] = variables.get(value, value)
    return headers


def _documented_hops() -> int:
    (command,) = DOCKER_RUN.findall(OPERATIONS)
    found = re.search(r"-e SURVEYAPP_PROXY_HOPS=(\d+)", command)
    return int(found.group(1)) if found else 0


def _seen_by_the_app(tmp_path: Path, hops: int, headers: dict[str, str]) -> tuple[str, str]:
    """(remote address, scheme) of a request as the app's handlers see it."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "PROXY_HOPS": hops,
        }
    )

    @app.get("/_proxy_probe")
    def probe() -> str:
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    response = Client(app.wsgi_app).get(
        "/_proxy_probe", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    address, scheme = response.get_data(as_text=True).split()
    return address, scheme


def test_the_documented_nginx_and_container_give_the_app_the_client_address(tmp_path):
    headers = _nginx_headers()
    hops = _documented_hops()
    assert hops == 1, "the docker run example must set SURVEYAPP_PROXY_HOPS=1 behind nginx"
    assert headers.get("X-Forwarded-For") == CLIENT, headers
    assert _seen_by_the_app(tmp_path, hops, headers) == (CLIENT, "https")


def test_without_proxy_hops_forwarded_headers_are_ignored(tmp_path):
    assert _seen_by_the_app(tmp_path, 0, _nginx_headers()) == ("127.0.0.1", "http")


def test_the_docs_no_longer_say_the_app_ignores_forwarded_headers():
    assert "The app ignores `X-Forwarded-*`" not in OPERATIONS
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if "`SURVEYAPP_PROXY_HOPS`" in line)
    assert "`1` behind one nginx" in row
