"""A per-client limit on NEW responses, keyed without ever keeping the client's address.

The key of a client is HMAC-SHA-256(daily salt, address) where the daily salt is
HMAC-SHA-256(secret key, "respondent-start:" + UTC date): every worker and host derives the same
salt (so the counters in the shared Flask-Limiter storage add up), the salt is never written
anywhere, and it changes every day, so yesterday's keys cannot be matched to today's. Only the
keyed digest reaches the rate-limit store (which stores it digested again, and expires it with
the window); no address is written to the database or the logs. IPv6 clients are keyed on
their /64 network (one subscriber gets a whole /64).

Only responses actually about to be stored count: the service asks `check()` after the consent
page validated, just before the INSERT, and stores nothing when it refuses.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, request
from limits import parse

from surveyapp.extensions import limiter
from surveyapp.respondent import challenge

log = logging.getLogger("surveyapp.respondent")


def _daily_salt(secret: str, day: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), f"respondent-start:{day}".encode(), "sha256").digest()


def client_key(address: str | None, secret: str, day: str | None = None) -> str:
    """The rate-limit key of a client address for one day (a keyed digest, never the address)."""
    day = day or datetime.now(UTC).strftime("%Y-%m-%d")
    try:
        ip = ipaddress.ip_address(address or "")
        network = ipaddress.ip_network(f"{ip}/64", strict=False) if ip.version == 6 else ip
        text = str(network)
    except ValueError:
        text = "unknown"
    digest = hmac.new(_daily_salt(secret, day), text.encode("ascii"), hashlib.sha256)
    return "respondent-start:" + digest.hexdigest()[:32]


def retry_after() -> int:
    """Seconds a refused client is asked to wait: the limit's window."""
    limit = current_app.config.get("RESPONDENT_START_LIMIT")
    return parse(limit).get_expiry() if limit else 60


def start_check() -> Callable[[], str | None]:
    """The hook the respondent services call before storing a new response: the consent
    page's proof-of-work (when enabled), then the per-client limit."""
    limit = current_app.config.get("RESPONDENT_START_LIMIT")
    if not limit and not challenge.enabled():
        return _allow
    address, secret = request.remote_addr, current_app.config["SECRET_KEY"]

    def check() -> str | None:
        refused = challenge.check(request.form)
        if refused or not limit:
            return refused
        key = client_key(address, secret)
        try:
            allowed = limiter.limiter.hit(parse(limit), key)
        except Exception as exc:  # noqa: BLE001 - a store outage must not block respondents
            log.warning("event=start_limit_unavailable error=%s", type(exc).__name__)
            return None
        if allowed:
            return None
        log.info("event=start_refused reason=rate")
        return "rate"

    return check


def _allow() -> None:
    return None
