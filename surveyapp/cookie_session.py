"""Flask's signed cookie session, its serializer built once per set of keys.

Flask's `SecureCookieSessionInterface` builds a new `URLSafeTimedSerializer` at every request
that opens or saves a session (1.3 % of a respondent's page cycle, measured by sampling the
barometer's walk: `benchmarks/profile_pages.py`). The serializer holds no per-request state:
one per (secret key, fallback keys) serves every request, and a key changed at run time (a
test, a rotation) gets its own.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    """`SecureCookieSessionInterface` with the signing serializer kept per set of keys."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if len(self._serializers) >= 8:  # keys changed at run time: keep only recent sets
                self._serializers.clear()
            self._serializers[keys] = serializer
        return serializer
