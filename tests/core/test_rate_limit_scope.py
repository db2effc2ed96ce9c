"""Flask-Limiter's request hooks are skipped for the blueprints that declare no limit
(`extensions.UNLIMITED_BLUEPRINTS`), and only for them: none of their views has a limit, nor
does the application, so skipping it changes nothing but the cost of a request."""

from __future__ import annotations

import pytest
from flask_limiter.util import get_qualified_name

from surveyapp.extensions import UNLIMITED_BLUEPRINTS, limiter


def resolved(app, endpoint: str):
    """The limits of a view: as the request hook resolves them, and as its decorator would."""
    view = app.view_functions[endpoint]
    blueprint = endpoint.rpartition(".")[0] or None
    found = []
    for in_middleware, marked in ((True, False), (False, True)):
        defaults, decorated = limiter.limit_manager.resolve_limits(
            app, endpoint, blueprint, get_qualified_name(view), in_middleware, marked
        )
        found += [*defaults, *decorated]
    return found


def test_no_view_of_an_unlimited_blueprint_has_a_limit(app):
    endpoints = [e for e in app.view_functions if e.partition(".")[0] in UNLIMITED_BLUEPRINTS]
    assert len(endpoints) > 5
    with app.test_request_context():
        assert {e: resolved(app, e) for e in endpoints} == {e: [] for e in endpoints}
        assert resolved(app, "auth.login") != []  # a limited view is seen as limited


def test_limits_resolved_for_limited_blueprints_only(app, monkeypatch):
    calls = []
    real = limiter.limit_manager.resolve_limits
    monkeypatch.setattr(
        limiter.limit_manager,
        "resolve_limits",
        lambda app, endpoint, *rest: calls.append(endpoint) or real(app, endpoint, *rest),
    )
    client = app.test_client()
    assert client.get("/s/no-such-survey/").status_code == 404
    assert calls == []
    assert client.get("/admin/login").status_code == 200
    assert set(calls) == {"auth.login"}


def test_hooks_not_found_as_expected_stop_the_app():
    """A Flask-Limiter that registers its hooks differently stops the app at start, instead
    of leaving the respondent's requests to its hooks (or skipping a limited view's)."""
    from flask import Flask

    from surveyapp.extensions import skip_limiter_hooks

    with pytest.raises(RuntimeError, match="request hooks are not as expected"):
        skip_limiter_hooks(Flask(__name__))
