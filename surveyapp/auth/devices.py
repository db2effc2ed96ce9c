"""OWASP device cookies: a browser where an account logged in keeps its own login budget.

Login throttling keyed on the account lets anyone lock the study team out by typing wrong
passwords for their addresses. Following OWASP's "Slow Brute Force Protection Using Device
Cookies", a successful login leaves a signed cookie in the browser naming (as keyed digests)
the accounts that logged in there. A login attempt for one of those accounts, from that
browser, is a *trusted* attempt:

- it is exempt from the per-account limit and from the global limit that attackers exhaust;
- it has a limit of its own, keyed on the cookie's random nonce (a stolen cookie still gives
  only `LOGIN_DEVICE_RATE_LIMIT` guesses, and locks only that one browser).

Every other attempt is untrusted and throttled as before. The cookie holds no address (HMAC
digests under the app's secret key), is HttpOnly, SameSite=Strict, limited to the login path,
and signed: a forged or edited cookie is simply ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "surveyapp_device"
COOKIE_PATH = "/admin/login"
SALT = "surveyapp.device-cookie"
#: Accounts remembered by one browser (a shared office computer), most recent first.
MAX_ACCOUNTS = 5


@dataclass(frozen=True, slots=True)
class Device:
    """A valid device cookie: its random nonce and the accounts that logged in with it."""

    nonce: str
    accounts: tuple[str, ...]


def normalised_login(email: str | None) -> str:
    """The submitted e-mail as a throttling key sees it: NFKC, no whitespace at all, casefolded.

    `" ADMIN@Example.org"`, `"admin @example.org"` and full-width letters share one budget.
    """
    text = unicodedata.normalize("NFKC", email or "")
    return "".join(text.split()).casefold()


def account_digest(email: str | None) -> str:
    """A keyed digest of the normalised e-mail: stable across workers, not reversible offline."""
    key = current_app.secret_key
    if key is None:
        raise RuntimeError("SECRET_KEY is not set")
    if isinstance(key, str):
        key = key.encode("utf-8")
    message = ("login:" + normalised_login(email)).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    key = current_app.secret_key
    if key is None:
        raise RuntimeError("SECRET_KEY is not set")
    return URLSafeTimedSerializer(key, salt=SALT)


def _max_age() -> int:
    return int(current_app.config["LOGIN_DEVICE_COOKIE_DAYS"]) * 86400


def read_device() -> Device | None:
    """The request's device cookie when it is signed by us and not expired, else None."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw or len(raw) > 1024:
        return None
    try:
        data = _serializer().loads(raw, max_age=_max_age())
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    nonce, accounts = data.get("n"), data.get("a")
    if not isinstance(nonce, str) or not isinstance(accounts, list):
        return None
    return Device(nonce, tuple(a for a in accounts if isinstance(a, str))[:MAX_ACCOUNTS])


def trusted_device() -> Device | None:
    """The device cookie if it vouches for the account of this attempt (read once per request)."""
    if "login_device" not in g:
        device = read_device()
        digest = account_digest(request.form.get("email"))
        g.login_device = device if device and digest in device.accounts else None
    return g.login_device


def is_trusted() -> bool:
    """`exempt_when` of the untrusted limits: this browser logged in to this account before."""
    return trusted_device() is not None


def is_untrusted() -> bool:
    """`exempt_when` of the per-device limit."""
    return trusted_device() is None


def device_key() -> str:
    """Rate-limit key of a trusted attempt: the cookie's nonce (random, names nobody)."""
    device = trusted_device()
    return "login-device:" + (device.nonce if device else "none")


def remember(response: Response, email: str) -> Response:
    """After a successful login: a fresh device cookie that also vouches for `email`."""
    device = read_device()
    digest = account_digest(email)
    known = [a for a in (device.accounts if device else ()) if a != digest]
    payload = {"n": secrets.token_urlsafe(16), "a": [digest, *known][:MAX_ACCOUNTS]}
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(payload),
        max_age=_max_age(),
        path=COOKIE_PATH,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )
    return response
