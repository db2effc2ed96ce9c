"""Login throttling with Flask-Limiter, keyed without IP addresses.

Two fixed-window limits guard POST /admin/login:

- per account: `LOGIN_RATE_LIMIT` (10 per minute) keyed on the SHA-256 of the normalised
  e-mail that was submitted, so guessing one account's password is slow whatever the number
  of clients, and another account keeps its own budget;
- per route: `LOGIN_GLOBAL_RATE_LIMIT` (60 per minute) for all attempts together, against
  password spraying over many addresses.

No key contains the client address: we never keep IP addresses (RELIABILITY P-1), and behind
the reverse proxy every request comes from the proxy's address anyway (gunicorn trusts no
forwarded header). The counters must be shared by every worker: see `check_storage`.
"""

from __future__ import annotations

import hashlib
import logging

from flask import Flask, current_app, request

from surveyapp.auth import ratelimit_storage  # noqa: F401 - registers surveyapp+sqlite://

log = logging.getLogger("surveyapp.auth")

SHARED_SCHEMES = (
    "redis",
    "rediss",
    "redis+sentinel",
    "redis+cluster",
    "memcached",
    "mongodb",
    ratelimit_storage.SCHEME,
)


def login_email_key() -> str:
    """Rate-limit key of a login attempt: a digest of the submitted e-mail, never the address."""
    email = (request.form.get("email") or "").strip().lower()
    return "login-email:" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def login_route_key() -> str:
    """Rate-limit key shared by every login attempt."""
    return "login-all"


def login_limit() -> str:
    """The per-account limit string from the config."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_global_limit() -> str:
    """The per-route limit string from the config."""
    return current_app.config["LOGIN_GLOBAL_RATE_LIMIT"]


def check_storage(app: Flask) -> None:
    """Warn when the counters are per process: then limits are multiplied by the worker count."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    scheme = uri.split("://", 1)[0].lower()
    if scheme not in SHARED_SCHEMES and app.config.get("ENV_NAME") != "testing":
        log.warning(
            "event=ratelimit_storage_not_shared storage=%s: each worker counts login attempts "
            "on its own; set SURVEYAPP_RATELIMIT_STORAGE_URL to redis://… or "
            "%s:///path/to/ratelimit.sqlite",
            scheme,
            ratelimit_storage.SCHEME,
        )
