"""The security headers hook: every header on a response that has none of them, a view's own
header kept (never doubled), HSTS only when configured."""

from __future__ import annotations

import pytest

from surveyapp.security import CSP


@pytest.mark.own_app  # adds routes, changes HSTS
def test_headers_added_once_and_a_views_own_kept(app):
    app.add_url_rule("/test-plain", "test_plain", lambda: "plain")
    app.add_url_rule(
        "/test-own",
        "test_own",
        lambda: ("own", 200, {"x-frame-options": "SAMEORIGIN", "Referrer-Policy": "no-referrer"}),
    )
    client = app.test_client()
    plain = client.get("/test-plain").headers
    assert plain.getlist("Content-Security-Policy") == [CSP]
    assert plain.getlist("X-Content-Type-Options") == ["nosniff"]
    assert plain.getlist("Referrer-Policy") == ["same-origin"]
    assert plain.getlist("X-Frame-Options") == ["DENY"]
    assert plain.getlist("Permissions-Policy") == ["camera=(), microphone=(), geolocation=()"]
    assert "Strict-Transport-Security" not in plain
    own = client.get("/test-own").headers
    assert own.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert own.getlist("Referrer-Policy") == ["no-referrer"]
    assert own.getlist("X-Content-Type-Options") == ["nosniff"]
    app.config["HSTS"] = True
    hsts = client.get("/test-plain").headers
    assert hsts.getlist("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
