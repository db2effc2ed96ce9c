"""Container health check: GET /healthz on the address gunicorn binds (SURVEYAPP_BIND).

`python -m surveyapp.healthcheck` exits 0 when /healthz answers 200, 1 otherwise. It reads the
same variable as surveyapp/gunicorn_conf.py, so a container started with another
SURVEYAPP_BIND is still checked where it listens. A wildcard host (0.0.0.0, ::, empty) is
reached on the loopback address; a Unix socket bind cannot be checked over HTTP (exit 1).
"""

from __future__ import annotations

import os
import sys
import urllib.request

WILDCARDS = {"", "0.0.0.0", "::", "[::]", "*"}  # noqa: S104 # nosec B104 - names, not a bind


def health_url(bind: str) -> str | None:
    """The /healthz URL for a gunicorn bind string (the first one if several), or None."""
    first = bind.replace(",", " ").split()[0] if bind.strip() else "127.0.0.1:8000"
    if first.startswith(("unix:", "fd://")):
        return None
    host, sep, port = first.rpartition(":")
    if not sep or not port.isdigit():  # a bare host: gunicorn's default port
        host, port = first, "8000"
    if host in WILDCARDS:
        host = "[::1]" if host in {"::", "[::]"} else "127.0.0.1"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    url = health_url(os.environ.get("SURVEYAPP_BIND", "127.0.0.1:8000"))
    if url is None:
        print("healthcheck: SURVEYAPP_BIND is not a TCP address", file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 # nosec B310
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"healthcheck: {url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
