"""Login, server-side sessions, logout revocation, timeouts, cookie flags, language, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp import create_app
from surveyapp.auth import access
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, User, UserSession, utcnow
from tests.admin.helpers import PASSWORD, csrf_from, login, page_csrf


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _sessions(app) -> list[UserSession]:
    with app.app_context():
        return list(db.session.scalars(select(UserSession)))


def test_login_page_has_csrf_token_and_labels(client):
    response = client.get("/admin/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert csrf_from(html)
    assert '<label for="email">' in html
    assert '<label for="password">' in html


def test_admin_pages_redirect_anonymous_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=/admin/")


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post(
        "/admin/login", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert _sessions(client.application) == []


def test_login_with_a_csrf_token_from_another_session_is_refused(app, users):
    other = app.test_client()
    foreign_token = page_csrf(other)
    client = app.test_client()
    client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": foreign_token},
    )
    assert response.status_code == 400


def test_login_success_opens_a_hashed_server_side_session(app, client, users):
    response = login(client, "admin@example.org")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    rows = _sessions(app)
    assert len(rows) == 1
    with client.session_transaction() as cookie:
        raw = cookie[access.SESSION_KEY]
    assert len(raw) >= 43  # 256 bits, url-safe base64
    assert rows[0].id_hash != raw
    assert len(rows[0].id_hash) == 64
    assert client.get("/admin/").status_code == 200
    events = _audit(app, "auth.login")
    assert [e.target for e in events] == ["admin@example.org"]


def test_wrong_password_and_unknown_user_fail_and_are_audited_without_unknown_addresses(
    app, client, users
):
    assert login(client, "admin@example.org", "wrong password!").status_code == 200
    assert login(client, "nobody@example.org").status_code == 200
    page = client.get("/admin/").status_code
    assert page == 302
    failures = _audit(app, "auth.login_failed")
    assert sorted((e.target or "") for e in failures) == ["", "admin@example.org"]
    assert _sessions(app) == []


def test_disabled_user_cannot_log_in(app, client, make_user):
    make_user("gone@example.org", "study", active=False)
    assert login(client, "gone@example.org").status_code == 200
    assert _sessions(app) == []


def test_session_fixation_new_cookie_and_new_session_at_login(app, users):
    client = app.test_client()
    client.get("/admin/login")
    before = client.get_cookie("session").value
    login(client, "admin@example.org")
    after = client.get_cookie("session").value
    assert before != after
    # A cookie planted before the login is not logged in.
    planted = app.test_client()
    planted.set_cookie("session", before)
    assert planted.get("/admin/").status_code == 302
    # Logging in twice gives two different sessions.
    login(app.test_client(), "admin@example.org")
    assert len({s.id_hash for s in _sessions(app)}) == 2


def test_logout_is_a_post_and_revokes_every_copy_of_the_cookie(app, client, users):
    login(client, "admin@example.org")
    stolen = client.get_cookie("session").value
    assert client.get("/admin/logout").status_code == 405
    token = csrf_from(client.get("/admin/").data)
    response = client.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/login?lang=en"  # the account's language
    assert _sessions(app)[0].revoked_at is not None
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/admin/").status_code == 302
    assert [e.target for e in _audit(app, "auth.logout")] == ["admin@example.org"]


def test_the_login_page_after_logout_keeps_the_accounts_language(app, client, make_user):
    make_user("francoise@example.org", "study", language="fr")
    login(client, "francoise@example.org")
    token = csrf_from(client.get("/admin/").data)
    page = client.post("/admin/logout", data={"csrf_token": token}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert "Déconnexion effectuée." in html


def test_logout_without_csrf_token_is_refused(app, client, users):
    login(client, "admin@example.org")
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/").status_code == 200


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for the session checks."""
    state = {"now": utcnow()}
    monkeypatch.setattr(access, "now", lambda: state["now"])
    return state


def test_idle_timeout(app, client, users, clock):
    login(client, "admin@example.org")
    idle = app.config["ADMIN_IDLE_MINUTES"]
    clock["now"] += timedelta(minutes=idle - 1)
    assert client.get("/admin/").status_code == 200  # activity: last_seen_at moves
    clock["now"] += timedelta(minutes=idle - 1)
    assert client.get("/admin/").status_code == 200
    clock["now"] += timedelta(minutes=idle + 1)
    assert client.get("/admin/").status_code == 302


def test_absolute_timeout_even_when_active(app, client, users, clock):
    login(client, "admin@example.org")
    start = clock["now"]
    hours = app.config["ADMIN_ABSOLUTE_HOURS"]
    while clock["now"] - start < timedelta(hours=hours) - timedelta(minutes=10):
        clock["now"] += timedelta(minutes=10)
        assert client.get("/admin/").status_code == 200
    clock["now"] = start + timedelta(hours=hours, minutes=1)
    assert client.get("/admin/").status_code == 302


def test_lifetimes_meet_the_requirements(app):
    assert app.config["ADMIN_IDLE_MINUTES"] <= 30
    assert app.config["ADMIN_ABSOLUTE_HOURS"] <= 8


def test_last_seen_is_written_at_most_once_a_minute(app, client, users, clock):
    login(client, "admin@example.org")
    first = _sessions(app)[0].last_seen_at
    clock["now"] += timedelta(seconds=30)
    client.get("/admin/")
    assert _sessions(app)[0].last_seen_at == first
    clock["now"] += timedelta(seconds=31)
    client.get("/admin/")
    assert _sessions(app)[0].last_seen_at == clock["now"]


def test_disabling_a_user_ends_their_open_session(app, client, users):
    login(client, "study@example.org")
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "study@example.org"))
        user.is_active = False
        db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_next_parameter_cannot_redirect_elsewhere(app, users):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/s/demo"):
        response = login(app.test_client(), "admin@example.org", next=target)
        assert response.headers["Location"] == "/admin/", target
    response = login(app.test_client(), "admin@example.org", next="/admin/users")
    assert response.headers["Location"] == "/admin/users"


def test_control_characters_in_next_give_a_safe_redirect(app, users):
    """CR/LF (header injection), TAB or DEL in `next`: no 500, the admin index instead (a NUL
    is refused earlier, with a 400, like a NUL anywhere in a query or form)."""
    nul = app.test_client()
    assert nul.get("/admin/login", query_string={"next": "/admin/\x00"}).status_code == 400
    assert login(nul, "admin@example.org", next="/admin/\x00").status_code == 400
    for target in (
        "/admin/\r\nSet-Cookie: x=1",
        "/admin/users\n",
        "/admin/\t",
        "/admin/\x7f",
    ):
        client = app.test_client()
        page = client.get("/admin/login", query_string={"next": target})
        assert page.status_code == 200, repr(target)
        response = login(client, "admin@example.org", next=target)
        assert response.status_code == 303, repr(target)
        assert response.headers["Location"] == "/admin/", repr(target)
        assert "x=1" not in response.headers.get("Set-Cookie", "")
        switched = client.post(
            "/admin/language",
            data={"csrf_token": page_csrf(client, "/admin/"), "language": "en", "next": target},
        )
        assert switched.status_code == 303, repr(target)
        assert switched.headers["Location"] == "/admin/", repr(target)


def test_cookie_flags_in_production(tmp_path, database_url):
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "x" * 32,
            "DATABASE_URL": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    app.instance_path = str(tmp_path)
    response = app.test_client().get("/admin/login", base_url="https://admin.example")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    db.dispose(app)


def test_cookie_flags_in_tests_and_development(client):
    cookie = client.get("/admin/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_https_form_posts_pass_the_csrf_referrer_check(app, users):
    # Flask-WTF checks the Referer of HTTPS posts; admin pages must not set no-referrer.
    client = app.test_client()
    base = "https://admin.example"
    page = client.get("/admin/login", base_url=base)
    assert page.headers["Referrer-Policy"] == "same-origin"
    response = client.post(
        "/admin/login",
        base_url=base,
        headers={"Referer": f"{base}/admin/login"},
        data={
            "email": "admin@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.data),
        },
    )
    assert response.status_code == 303


def test_language_follows_the_account_and_can_be_switched(app, client, make_user):
    make_user("fr@example.org", "analyst", language="fr")
    login(client, "fr@example.org")
    page = client.get("/admin/")
    assert '<html lang="fr">' in page.get_data(as_text=True)
    response = client.post(
        "/admin/language",
        data={"csrf_token": csrf_from(page.data), "language": "en", "next": "/admin/"},
    )
    assert response.status_code == 303
    assert '<html lang="en">' in client.get("/admin/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "fr@example.org"))
        assert user.language == "en"


def test_login_page_language_from_query(client):
    assert '<html lang="en">' in client.get("/admin/login?lang=en").get_data(as_text=True)
    assert '<html lang="fr">' in client.get("/admin/login?lang=fr").get_data(as_text=True)


def test_login_rehashes_a_password_stored_with_older_parameters(app, client, users):
    from argon2 import PasswordHasher

    from surveyapp.services.accounts import HASHER

    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        user.password_hash = old
        db.session.commit()
    assert login(client, "admin@example.org").status_code == 303
    with app.app_context():
        stored = db.session.scalar(
            select(User.password_hash).where(User.email == "admin@example.org")
        )
    assert stored != old
    assert not HASHER.check_needs_rehash(stored)
    assert _audit(app, "auth.login")[0].details == {"rehashed": True}


def test_logging_in_over_a_session_revokes_the_previous_one(app, users):
    client = app.test_client()
    login(client, "study@example.org")
    first = client.get_cookie("session").value
    token = csrf_from(client.get("/admin/").data)
    response = client.post(
        "/admin/login",
        data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303
    replay = app.test_client()
    replay.set_cookie("session", first)
    assert replay.get("/admin/").status_code == 302
    assert sorted(s.revoked_at is None for s in _sessions(app)) == [False, True]
