"""Flask's signed cookie session, its serializer built once per set of keys.

Flask's `SecureCookieSessionInterface` builds a new `URLSafeTimedSerializer` at every request
that opens or saves a session (1.3 % of a respondent's page cycle in a sampling profile,
py-spy, of `benchmarks/profile_pages.py`'s barometer walk). The serializer holds no
per-request state: one per (secret key, fallback keys) serves every request, and a key
changed at run time (a test, a rotation) gets its own.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from surveyapp.caching import LRUCache


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    """`SecureCookieSessionInterface` with the signing serializer kept per set of keys."""

    def __init__(self) -> None:
        #: Keys changed at run time (tests, a rotation) keep only the recent sets.
        self._serializers: LRUCache[tuple[Any, ...], URLSafeTimedSerializer] = LRUCache(8)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None  # as Flask's: no key, no session
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        return self._serializers.get_or_create(keys, lambda: self._make(app))

    def _make(self, app: Flask) -> URLSafeTimedSerializer:
        serializer = super().get_signing_serializer(app)
        assert serializer is not None  # a secret key is set
        return serializer
