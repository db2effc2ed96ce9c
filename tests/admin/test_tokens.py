"""API tokens: CLI, bearer-only, scopes and surveys, expiry, revocation, audit, CSRF exemption."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Blueprint, g, jsonify
from sqlalchemy import select, text

from surveyapp.auth import require_access
from surveyapp.extensions import db
from surveyapp.models import ApiToken, AuditEvent, User, utcnow
from surveyapp.services import tokens
from surveyapp.services.audit import Actor
from tests.admin.helpers import csrf_from, login

FIELDWORK = "/admin/api/surveys/demo/fieldwork.json"


def _token(app, email="analyst@example.org", scopes=("quotas",), surveys=None, days=30):
    with app.app_context():
        return tokens.create_token(
            db.session, email, list(scopes), surveys, days, Actor("system", "test")
        ).secret


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_cli_create_list_revoke(app, cli, users, demo_survey):
    result = cli(
        "token",
        "create",
        "analyst@example.org",
        "--scope",
        "export",
        "--survey",
        "demo",
        "--expires",
        "7",
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("sva_")
    assert len(secret) >= 40
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == tokens.hash_token(secret)
        assert row.token_hash != secret
        assert row.scopes == ["export"]
        assert row.surveys == ["demo"]
        assert timedelta(days=6) < row.expires_at - utcnow() <= timedelta(days=7)
        token_id = row.id
        dump = "\n".join(str(r) for r in db.session.execute(text("SELECT * FROM api_tokens")))
        assert secret not in dump
    listing = cli("token", "list")
    assert row.prefix in listing.output
    assert "active" in listing.output
    assert secret not in listing.output
    revoked = cli("token", "revoke", str(token_id))
    assert revoked.exit_code == 0
    assert "revoked" in cli("token", "list").output


def test_cli_refuses_bad_input(cli, users, demo_survey):
    assert cli("token", "create", "nobody@example.org", "--scope", "export").exit_code != 0
    assert (
        cli(
            "token", "create", "admin@example.org", "--scope", "export", "--survey", "nope"
        ).exit_code
        != 0
    )
    assert (
        cli(
            "token", "create", "admin@example.org", "--scope", "export", "--expires", "365"
        ).exit_code
        != 0
    )
    assert cli("token", "create", "admin@example.org").exit_code != 0


def test_bearer_token_reads_and_every_use_is_audited(app, client, users, demo_survey):
    secret = _token(app)
    for _ in range(2):
        response = client.get(FIELDWORK, headers=_bearer(secret))
        assert response.status_code == 200
        assert response.get_json()["survey"] == "demo"
        assert response.headers["Cache-Control"] == "no-store"
    uses = _events(app, "token.use")
    assert len(uses) == 2
    assert uses[0].actor_type == "token"
    assert uses[0].actor == secret[:12]
    assert uses[0].target == FIELDWORK
    assert uses[0].survey_id == demo_survey.id
    assert all(secret not in str(e.details) for e in uses)
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


@pytest.mark.parametrize("name", ["token", "access_token", "api_key"])
def test_token_in_query_string_is_refused_with_a_clear_message(
    app, client, users, demo_survey, name
):
    secret = _token(app)
    response = client.get(f"{FIELDWORK}?{name}={secret}")
    assert response.status_code == 401
    assert "Authorization" in response.get_json()["error"]
    # Even together with a valid header, a token in the address is refused.
    assert client.get(f"{FIELDWORK}?{name}=x", headers=_bearer(secret)).status_code == 401
    assert _events(app, "token.use") == []


def test_malformed_or_unknown_tokens_get_401(app, client, users, demo_survey):
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer sva_nope", "sva_x", "Token abc"):
        response = client.get(FIELDWORK, headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_scope_is_enforced(app, client, users, demo_survey):
    secret = _token(app, scopes=("export",))
    assert client.get(FIELDWORK, headers=_bearer(secret)).status_code == 401


def test_survey_restriction_is_enforced(app, client, users, demo_survey):
    with app.app_context():
        from surveyapp.models import Survey

        db.session.add(Survey(slug="other"))
        db.session.commit()
    other_only = _token(app, surveys=["other"])
    assert client.get(FIELDWORK, headers=_bearer(other_only)).status_code == 401
    both = _token(app, surveys=["other", "demo"])
    assert client.get(FIELDWORK, headers=_bearer(both)).status_code == 200
    every = _token(app, surveys=None)
    assert client.get(FIELDWORK, headers=_bearer(every)).status_code == 200


def test_expired_token_fails(app, client, users, demo_survey):
    secret = _token(app, days=1)
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(FIELDWORK, headers=_bearer(secret)).status_code == 401


def test_revoked_token_fails_at_once(app, client, users, demo_survey):
    secret = _token(app)
    assert client.get(FIELDWORK, headers=_bearer(secret)).status_code == 200
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
        tokens.revoke_token(db.session, token_id, Actor("system", "test"))
    assert client.get(FIELDWORK, headers=_bearer(secret)).status_code == 401


def test_disabled_users_tokens_fail(app, client, users, demo_survey):
    secret = _token(app)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "analyst@example.org"))
        user.is_active = False
        db.session.commit()
    assert client.get(FIELDWORK, headers=_bearer(secret)).status_code == 401


def test_session_access_by_role(app, as_role, client, demo_survey):
    for role in ("analyst", "study", "admin"):
        assert as_role(role).get(FIELDWORK).status_code == 200
    assert client.get(FIELDWORK).status_code == 401
    assert client.get(FIELDWORK, headers={"Accept": "text/html"}).status_code == 401  # .json


def test_unknown_survey_is_404_for_tokens_too(app, client, users, demo_survey):
    secret = _token(app)
    assert (
        client.get("/admin/api/surveys/nope/fieldwork.json", headers=_bearer(secret)).status_code
        == 404
    )


@pytest.fixture
def poke_app(app):
    """The app with a test-only POST data route guarded by require_access('export')."""
    bp = Blueprint("poke_test", __name__)

    @bp.post("/poke/<slug>")
    @require_access("export")
    def poke(slug):
        return jsonify(actor=g.access_actor.name)

    app.register_blueprint(bp, url_prefix="/test")
    return app


@pytest.mark.own_app  # poke_app registers a blueprint
def test_csrf_exempt_only_with_authorization_header(poke_app, users, demo_survey):
    app = poke_app
    client = app.test_client()
    login(client, "analyst@example.org")
    # Session cookie, no CSRF token: refused like any form.
    assert client.post("/test/poke/demo").status_code == 400
    # Session cookie with the page's CSRF token: accepted.
    token = csrf_from(client.get("/admin/").data)
    ok = client.post("/test/poke/demo", data={"csrf_token": token})
    assert ok.status_code == 200
    assert ok.get_json()["actor"] == "analyst@example.org"
    # Bearer token, no CSRF token and no cookie: accepted (a script).
    secret = _token(app, scopes=("export",))
    script = app.test_client()
    response = script.post("/test/poke/demo", headers=_bearer(secret))
    assert response.status_code == 200
    assert response.get_json()["actor"] == secret[:12]
    # A bad Authorization header is not a way around CSRF for a logged-in browser.
    assert (
        client.post("/test/poke/demo", headers={"Authorization": "Bearer bad"}).status_code == 401
    )


def test_admin_creates_and_revokes_a_token_in_the_ui(app, as_role, demo_survey):
    client = as_role("admin")
    page = client.get("/admin/tokens")
    # the survey is offered by the slug the API uses, then its title in the admin's language
    html = page.get_data(as_text=True)
    assert 'name="surveys" type="checkbox" value="demo"> <label for="surveys-0">demo — Demo' in html
    response = client.post(
        "/admin/tokens",
        data={
            "csrf_token": csrf_from(page.data),
            "email": "analyst@example.org",
            "scopes": ["export"],
            "surveys": ["demo"],
            "days": "10",
            "note": "R script",
        },
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    secret = html.split('id="secret" class="secret" type="text" value="')[1].split('"')[0]
    assert secret.startswith("sva_")
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert secret not in listing
    assert secret[:12] in listing
    assert "R script" in listing
    assert "<code>demo</code>" in listing
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    revoke = client.post(
        f"/admin/tokens/{token_id}/revoke",
        data={"csrf_token": csrf_from(client.get("/admin/tokens").data)},
    )
    assert revoke.status_code == 303
    assert [e.action for e in _events(app, "token.revoke")] == ["token.revoke"]
    assert [e.target for e in _events(app, "token.create")] == [secret[:12]]


def test_only_admins_manage_tokens(as_role, demo_survey):
    for role in ("analyst", "study"):
        assert as_role(role).get("/admin/tokens").status_code == 403
