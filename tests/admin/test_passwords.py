"""Password change by the owner, password reset by an admin or the CLI (#16 point 12)."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.auth.access import SESSION_KEY
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, User
from tests.admin.helpers import PASSWORD, csrf_from, login, post_form

NEW = "a brand new passphrase"
SECRET_RE = re.compile(r'id="secret"[^>]*value="([^"]+)"')


def _change(client, current: str, new: str, confirm: str | None = None):
    return post_form(
        client,
        "/admin/password",
        "/admin/password",
        {"current": current, "password": new, "confirm": new if confirm is None else confirm},
    )


def _raw_session(client) -> str:
    with client.session_transaction() as cookie:
        return cookie[SESSION_KEY]


def test_change_needs_the_current_password_and_the_policy(app, as_role):
    client = as_role("study")
    page = client.get("/admin/password")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.get_data(as_text=True)
    wrong = _change(client, "not my password", NEW)
    assert wrong.status_code == 422
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    assert _change(client, PASSWORD, "short").status_code == 422
    assert _change(client, PASSWORD, NEW, "something else").status_code == 422
    same = _change(client, PASSWORD, PASSWORD)
    assert same.status_code == 422
    assert "must differ" in same.get_data(as_text=True)
    assert login(app.test_client(), "study@example.org", NEW).status_code == 200  # unchanged


def test_change_closes_other_sessions_and_reissues_this_one(app, as_role):
    other = as_role("study")
    client = as_role("study")
    before = _raw_session(client)
    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200  # kept logged in…
    assert _raw_session(client) != before  # …with a new session id
    assert other.get("/admin/").status_code == 302  # the other browser is logged out
    stale = app.test_client()
    with stale.session_transaction() as cookie:
        cookie[SESSION_KEY] = before
    assert stale.get("/admin/").status_code == 302  # the old id is dead too
    assert login(app.test_client(), "study@example.org", PASSWORD).status_code == 200
    assert login(app.test_client(), "study@example.org", NEW).status_code == 303
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.password_change")
        )
        assert event.target == "study@example.org"
        assert event.details["sessions_revoked"] == 2
        assert db.session.scalar(
            select(User.password_hash).where(User.email == "study@example.org")
        ).startswith("$argon2id$")


def _forced_flow(app, email: str, temporary: str) -> None:
    """Log in with a temporary password: every admin page leads to the change form."""
    client = app.test_client()
    assert login(client, email, temporary).status_code == 303
    for path in ("/admin/", "/admin/users", "/admin/surveys/demo/results"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/admin/password", path
    data = client.get("/admin/surveys/demo/export.csv", headers={"Accept": "text/csv"})
    assert data.status_code == 403  # data routes refuse too (JSON)
    page = client.get("/admin/password")
    assert page.status_code == 200
    assert "reset by an administrator" in page.get_data(as_text=True)
    assert _change(client, temporary, NEW).status_code == 303
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.must_change_password is False


def test_admin_reset_shows_a_temporary_password_once_and_forces_a_change(
    app, as_role, users, demo_survey
):
    victim = as_role("study")
    admin = as_role("admin")
    page = admin.get("/admin/users")
    assert f"/admin/users/{users['study'].id}/reset-password" in page.get_data(as_text=True)
    assert f"/admin/users/{users['admin'].id}/reset-password" not in page.get_data(as_text=True)
    response = admin.post(
        f"/admin/users/{users['study'].id}/reset-password",
        data={"csrf_token": csrf_from(page.data)},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    temporary = SECRET_RE.search(response.get_data(as_text=True)).group(1)
    assert len(temporary) >= 16
    assert victim.get("/admin/").status_code == 302  # its sessions are closed
    assert login(app.test_client(), "study@example.org", PASSWORD).status_code == 200
    assert "password to change" in admin.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.password_reset")
        )
        assert (event.actor, event.target) == ("admin@example.org", "study@example.org")
        assert temporary not in str(event.details)
    _forced_flow(app, "study@example.org", temporary)


def test_admin_cannot_reset_their_own_password_there(app, as_role, users):
    admin = as_role("admin")
    response = post_form(admin, "/admin/users", f"/admin/users/{users['admin'].id}/reset-password")
    assert response.status_code == 303
    assert admin.get("/admin/").status_code == 200  # still logged in, nothing changed
    with app.app_context():
        assert not db.session.get(User, users["admin"].id).must_change_password


def test_cli_reset_password(app, users, cli, demo_survey):
    result = cli("user", "reset-password", " Analyst@Example.org")
    assert result.exit_code == 0, result.output
    temporary = re.search(r"temporary password for analyst@example.org: (\S+)", result.output)
    assert temporary
    assert cli("user", "reset-password", "nobody@example.org").exit_code != 0
    _forced_flow(app, "analyst@example.org", temporary.group(1))


def test_reset_revokes_the_accounts_api_tokens_and_says_how_many(app, users, cli, demo_survey):
    """A reset answers a lost or stolen password: a token its holder made must stop working."""
    from tests.admin.test_tokens import FIELDWORK, _bearer, _token

    secret = _token(app, "study@example.org")
    other = _token(app, "analyst@example.org")
    assert app.test_client().get(FIELDWORK, headers=_bearer(secret)).status_code == 200
    assert cli("user", "reset-password", "study@example.org").exit_code == 0
    assert app.test_client().get(FIELDWORK, headers=_bearer(secret)).status_code == 401
    assert app.test_client().get(FIELDWORK, headers=_bearer(other)).status_code == 200
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.password_reset")
        )
        assert event.details == {"sessions_revoked": 0, "tokens_revoked": 1}
