"""Security headers on error pages and downloads; CSRF on every admin form (A-8, V-7)."""

from __future__ import annotations

import pytest
from flask import url_for

from surveyapp.extensions import db
from surveyapp.services import tokens
from surveyapp.services.audit import Actor
from tests.admin.helpers import add_response, page_csrf, quick_user, session_client


def assert_security_headers(response) -> None:
    """The headers every response must carry."""
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in {"no-referrer", "same-origin"}


@pytest.fixture
def admin_client(app):
    return session_client(app, quick_user(app, "admin@example.org", "admin"))


@pytest.mark.own_app  # adds a route
def test_headers_on_error_pages(app, admin_client, demo_survey):
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/admin-test/boom", "boom", boom)
    anonymous = app.test_client()
    analyst = session_client(app, quick_user(app, "analyst@example.org", "analyst"))
    cases = {
        400: lambda: admin_client.post("/admin/surveys/demo/state"),  # no CSRF token
        403: lambda: analyst.get("/admin/users"),
        404: lambda: admin_client.get("/admin/surveys/nope"),
        405: lambda: admin_client.get("/admin/logout"),
        429: lambda: [
            anonymous.post(
                "/admin/login", data={"email": "a@example.org", "csrf_token": page_csrf(anonymous)}
            )
            for _ in range(2)
        ][-1],
        500: lambda: anonymous.get("/admin-test/boom"),
    }
    for status, call in cases.items():
        response = call()
        assert response.status_code == status
        assert_security_headers(response)


def test_headers_on_downloads_and_json(app, admin_client, demo_survey):
    schema = admin_client.get("/admin/surveys/demo/versions/1/schema.yaml")
    assert schema.status_code == 200
    assert schema.headers["Content-Disposition"].startswith("attachment;")
    assert schema.headers["Cache-Control"] == "no-store"
    assert_security_headers(schema)
    with admin_client.get("/static/admin.css") as static:
        assert static.status_code == 200
        assert_security_headers(static)
    data = admin_client.get("/admin/api/surveys/demo/fieldwork.json")
    assert data.status_code == 200
    assert_security_headers(data)
    refused = admin_client.get("/admin/api/surveys/demo/fieldwork.json?token=x")
    assert refused.status_code == 401
    assert_security_headers(refused)


def test_admin_pages_are_not_cached(admin_client, demo_survey):
    for path in ("/admin/", "/admin/surveys/demo", "/admin/users", "/admin/login"):
        assert admin_client.get(path).headers["Cache-Control"] == "no-store", path


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()) and rule.endpoint.split(".")[0] in {"admin", "auth"}:
            yield rule


def test_every_admin_form_requires_a_csrf_token_of_its_own_session(app, admin_client, demo_survey):
    values = {
        "slug": "demo",
        "response_id": add_response(app, demo_survey),
        "user_id": quick_user(app, "someone@example.org", "study"),
        "cell_id": "by_region__1",
    }
    with app.app_context():
        values["token_id"] = tokens.create_token(
            db.session, "someone@example.org", ["export"], None, 30, Actor("system", "t")
        ).token.id
    other = session_client(app, quick_user(app, "other@example.org", "admin"))
    foreign = page_csrf(other, "/admin/")
    rules = list(_post_routes(app))
    assert len(rules) >= 10
    for rule in rules:
        with app.test_request_context():
            url = url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})
        assert admin_client.post(url).status_code == 400, url
        assert admin_client.post(url, data={"csrf_token": foreign}).status_code == 400, url
        assert admin_client.post(url, data={"csrf_token": "garbage"}).status_code == 400, url
    # The admin's session is intact after all these refusals.
    assert admin_client.get("/admin/").status_code == 200


@pytest.mark.own_app  # adds a route
def test_an_admin_view_that_declares_no_roles_is_denied_to_everyone(app, admin_client):
    # Registered under the admin blueprint's endpoint prefix, so its before_request applies.
    app.add_url_rule("/admin/undeclared", "admin.undeclared", lambda: "secret")
    assert admin_client.get("/admin/undeclared").status_code == 403
    assert app.test_client().get("/admin/undeclared").status_code == 403
