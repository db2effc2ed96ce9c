"""The users page (admins only): list, create, disable; audit-logged."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, User, UserSession
from tests.admin.helpers import csrf_from, login


def _form(client) -> str:
    return csrf_from(client.get("/admin/users").data)


def test_admin_lists_and_creates_users(app, as_role):
    client = as_role("admin")
    page = client.get("/admin/users")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "study@example.org" in html
    assert '<table class="records">' in html
    assert "<fieldset>" in html
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": _form(client),
            "email": "New.Person@Example.org",
            "role": "analyst",
            "language": "fr",
            "password": "a long password",
            "confirm": "a long password",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
        assert user.role == "analyst"
        assert user.language == "fr"
        assert user.password_hash.startswith("$argon2id$")
        event = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "user.create", AuditEvent.target == "new.person@example.org"
            )
        )
        assert event.actor == "admin@example.org"
        assert event.target == "new.person@example.org"
        assert "a long password" not in str(event.details)
    assert login(app.test_client(), "new.person@example.org", "a long password").status_code == 303


def test_create_user_errors_re_render_the_form(as_role):
    client = as_role("admin")
    short = client.post(
        "/admin/users",
        data={
            "csrf_token": _form(client),
            "email": "x@example.org",
            "role": "analyst",
            "language": "en",
            "password": "short",
            "confirm": "short",
        },
    )
    assert short.status_code == 422
    duplicate = client.post(
        "/admin/users",
        data={
            "csrf_token": _form(client),
            "email": "study@example.org",
            "role": "analyst",
            "language": "en",
            "password": "a long password",
            "confirm": "a long password",
        },
    )
    assert duplicate.status_code == 422
    assert 'aria-invalid="true"' in duplicate.get_data(as_text=True)


def test_disable_user_revokes_sessions(app, as_role, users):
    victim = as_role("study")
    assert victim.get("/admin/").status_code == 200
    client = as_role("admin")
    response = client.post(
        f"/admin/users/{users['study'].id}/disable", data={"csrf_token": _form(client)}
    )
    assert response.status_code == 303
    assert victim.get("/admin/").status_code == 302
    with app.app_context():
        sessions = db.session.scalars(
            select(UserSession).where(UserSession.user_id == users["study"].id)
        ).all()
        assert sessions
        assert all(s.revoked_at is not None for s in sessions)
        assert (
            db.session.scalar(select(AuditEvent.target).where(AuditEvent.action == "user.disable"))
            == "study@example.org"
        )


def test_admin_cannot_disable_themselves(app, as_role, users):
    client = as_role("admin")
    client.post(f"/admin/users/{users['admin'].id}/disable", data={"csrf_token": _form(client)})
    assert client.get("/admin/").status_code == 200


def test_users_page_is_for_admins_only(as_role):
    for role in ("analyst", "study"):
        client = as_role(role)
        assert client.get("/admin/users").status_code == 403
        token = csrf_from(client.get("/admin/").data)
        assert client.post("/admin/users", data={"csrf_token": token}).status_code == 403


def test_cli_disable_revokes_the_session_rows(app, as_role, users, cli):
    victim = as_role("study")
    assert victim.get("/admin/").status_code == 200
    result = cli("user", "disable", " Study@Example.org ")
    assert result.exit_code == 0, result.output
    assert "disabled study@example.org" in result.output
    with app.app_context():
        sessions = db.session.scalars(
            select(UserSession).where(UserSession.user_id == users["study"].id)
        ).all()
        assert sessions
        assert all(s.revoked_at is not None for s in sessions)  # not only the is_active flag
        db.session.get(User, users["study"].id).is_active = True  # re-enabled later…
        db.session.commit()
    assert victim.get("/admin/").status_code == 302  # …the old session stays dead
    assert cli("user", "disable", "nobody@example.org").exit_code != 0
