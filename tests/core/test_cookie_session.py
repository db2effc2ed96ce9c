"""The session cookie's serializer, kept per set of keys, still signs and checks as Flask's."""

from __future__ import annotations

from flask import session

from surveyapp import create_app
from surveyapp.cookie_session import CachedSerializerSessionInterface


def _app(secret: str, fallbacks: list[str] | None = None):
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": secret, "LOG_LEVEL": "WARNING"})
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks or []

    @app.get("/_put")
    def put():
        session["n"] = 41
        return "ok"

    @app.get("/_get")
    def get():
        return str(session.get("n"))

    return app


def _cookie(app) -> str:
    client = app.test_client()
    client.get("/_put")
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _read(app, cookie: str) -> str:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/_get").get_data(as_text=True)


def test_the_app_uses_the_cached_interface():
    assert isinstance(_app("k").session_interface, CachedSerializerSessionInterface)


def test_a_cookie_reads_back_under_its_key_only():
    signed = _cookie(_app("first key"))
    assert _read(_app("first key"), signed) == "41"
    assert _read(_app("another key"), signed) == "None"  # refused: an empty session


def test_a_key_changed_at_run_time_gets_its_own_serializer():
    app = _app("first key")
    signed = _cookie(app)
    app.secret_key = "rotated key"
    assert _read(app, signed) == "None"
    app.config["SECRET_KEY_FALLBACKS"] = ["first key"]
    assert _read(app, signed) == "41"  # the old key as a fallback still verifies
    assert _read(app, signed + "x") == "None"


def test_one_serializer_serves_every_request_with_the_same_keys():
    app = _app("k")
    interface = app.session_interface
    assert isinstance(interface, CachedSerializerSessionInterface)
    first = interface.get_signing_serializer(app)
    assert first is not None
    assert interface.get_signing_serializer(app) is first
    app.secret_key = "k2"
    assert interface.get_signing_serializer(app) is not first
