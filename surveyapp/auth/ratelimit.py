"""Login throttling with Flask-Limiter, keyed without IP addresses.

Limits on POST /admin/login, for an *untrusted* attempt (no device cookie for that account,
see `surveyapp.auth.devices`):

- per account: `LOGIN_RATE_LIMIT` (10 per minute, then 30 per hour: a growing throttle) keyed
  on a keyed digest of the normalised e-mail (case, spaces, NFKC), so guessing one account's
  password is slow whatever the number of clients, and another account keeps its own budget;
- per route: `LOGIN_GLOBAL_RATE_LIMIT` (60 per minute) for all untrusted attempts together,
  against password spraying over many addresses.

A *trusted* attempt (this browser logged in to this account before) skips both and has its own
`LOGIN_DEVICE_RATE_LIMIT` keyed on the device cookie's nonce, so an attacker who exhausts the
limits above never locks the team out of the browsers they already use.

No key contains the client address: we never keep IP addresses (RELIABILITY P-1), and behind
the reverse proxy every request comes from the proxy's address anyway (gunicorn trusts no
forwarded header). The counters must be shared by every worker: see `check_storage`.

When the counter store does not answer (Redis down or unreachable), a login cannot be checked
against its limits: rather than let it through unthrottled or fail with a 500, the login answers
503 with `Retry-After` in the visitor's language, and one log line says why
(`event=ratelimit_storage_unavailable`). Every other page works as usual.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from limits.errors import StorageError

from surveyapp.auth import (
    devices,
    ratelimit_storage,  # noqa: F401 - registers surveyapp+sqlite://
)

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
REDIS_SCHEMES = ("redis", "rediss", "redis+sentinel", "redis+cluster")
#: Seconds a Redis connection or command may take before the login answers 503.
REDIS_TIMEOUT_S = 2.0
#: What a 503 tells clients to wait before retrying, in seconds.
STORAGE_RETRY_AFTER_S = 30


def login_email_key() -> str:
    """Rate-limit key of a login attempt: a keyed digest of the normalised e-mail, never it."""
    return "login-email:" + devices.account_digest(request.form.get("email"))


def login_route_key() -> str:
    """Rate-limit key shared by every login attempt."""
    return "login-all"


def login_limit() -> str:
    """The per-account limit string from the config."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_global_limit() -> str:
    """The per-route limit string from the config."""
    return current_app.config["LOGIN_GLOBAL_RATE_LIMIT"]


def login_device_limit() -> str:
    """The per-device limit string (trusted attempts) from the config."""
    return current_app.config["LOGIN_DEVICE_RATE_LIMIT"]


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


def storage_options(uri: str) -> dict[str, object]:
    """Options of the counter store: errors as `StorageError`, and short Redis timeouts.

    Without timeouts a Redis that accepts connections but never answers would hold the worker
    until gunicorn kills it; with them the login answers 503 within a few seconds.
    """
    options: dict[str, object] = {"wrap_exceptions": True}
    if uri.split("://", 1)[0].lower() in REDIS_SCHEMES:
        options.update(socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S)
    return options


def configure_storage(app: Flask) -> None:
    """Set the store's options (before `limiter.init_app`) and the handler of its failures."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    options = storage_options(uri)
    options.update(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    app.register_error_handler(StorageError, storage_unavailable)
    app.register_error_handler(RateLimitExceeded, too_many_attempts)


def too_many_attempts(exc: RateLimitExceeded):
    """429 with Retry-After (when the breached window ends), in the visitor's language."""
    from surveyapp.extensions import limiter

    retry_after = 60
    try:
        limit = limiter.current_limit
        if limit is not None:
            retry_after = max(1, int(limit.reset_at - time.time()) + 1)
    except StorageError:  # the window could not be read back: the default is fine
        pass
    headers = {"Retry-After": str(retry_after), "Cache-Control": "no-store"}
    title = _("Too many attempts")
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "status": 429}, 429, headers
    return render_template("error.html", code=429, title=title), 429, headers


def storage_unavailable(exc: StorageError):
    """503 + Retry-After when the counter store fails; one log line, no key, no address."""
    cause = getattr(exc, "storage_error", None) or exc.__cause__ or exc
    lines = str(cause).strip().splitlines()
    log.error(
        "event=ratelimit_storage_unavailable endpoint=%s error=%s reason=%r",
        request.endpoint,
        type(cause).__name__,
        lines[0][:160] if lines else "",
    )
    headers = {"Retry-After": str(STORAGE_RETRY_AFTER_S), "Cache-Control": "no-store"}
    title = _("Service temporarily unavailable")
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "status": 503}, 503, headers
    return render_template("error.html", code=503, title=title), 503, headers
