"""Helpers of the admin tests: browser-like forms and logins, rows made directly."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from pathlib import Path

from surveyapp.extensions import db
from surveyapp.models import QuotaCell, QuotaClaim, Response, User, utcnow

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ROLES = ("analyst", "study", "admin")


def csrf_from(html: str | bytes) -> str:
    """The CSRF token of the first form of a rendered page, as a browser would submit it."""
    text = html.decode() if isinstance(html, bytes) else html
    match = CSRF_RE.search(text)
    assert match, "no csrf_token in the page"
    return match.group(1)


def page_csrf(client, path: str = "/admin/login") -> str:
    """GET a page and return its CSRF token."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_from(response.data)


def login(client, email: str, password: str = PASSWORD, **extra):
    """Log in through the form, CSRF token included; returns the POST response."""
    token = page_csrf(client)
    return client.post(
        "/admin/login", data={"email": email, "password": password, "csrf_token": token, **extra}
    )


def post_form(client, page: str, action: str, data: dict | None = None, **kwargs):
    """POST to `action` with the CSRF token taken from `page`, like a browser."""
    token = page_csrf(client, page)
    return client.post(action, data={"csrf_token": token, **(data or {})}, **kwargs)


def add_response(app, survey, **fields) -> int:
    """Insert a response row directly (the respondent side is not under test here)."""
    with app.app_context():
        now = utcnow()
        status = fields.pop("status", "in_progress")
        values = {
            "survey_id": survey.id,
            "version_id": survey.current_version_id,
            "token_hash": hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
            "language": "fr",
            "seed": secrets.token_hex(8),
            "status": status,
            "answers": {},
            "params": {},
            "started_at": now - timedelta(minutes=10),
            "updated_at": now,
        }
        if status != "in_progress":
            values.update(
                ending_id={"complete": "end", "screened_out": "so", "quota_full": "qf"}[status],
                completed_at=now,
                current_page=None,
            )
        values.update(fields)
        response = Response(**values)
        db.session.add(response)
        db.session.commit()
        return response.id


def claim(app, response_id: int, cell_key: str) -> None:
    """Give a response a slot in a quota cell, as a completion would (counter + claim)."""
    with app.app_context():
        from sqlalchemy import select

        cell = db.session.scalar(select(QuotaCell).where(QuotaCell.cell_id == cell_key))
        cell.completes += 1
        db.session.add(QuotaClaim(response_id=response_id, cell_id=cell.id))
        db.session.commit()


def cell_completes(app, cell_key: str) -> int:
    """The counter of a quota cell."""
    with app.app_context():
        from sqlalchemy import select

        return db.session.scalar(select(QuotaCell.completes).where(QuotaCell.cell_id == cell_key))


def quick_user(app, email: str, role: str, language: str = "en") -> int:
    """Insert a user without hashing a password (it cannot log in through the form)."""
    with app.app_context():
        user = User(email=email, role=role, language=language, password_hash="!unusable")
        db.session.add(user)
        db.session.commit()
        return user.id


def session_client(app, user_id: int):
    """A test client with a valid server-side session for `user_id`, without the login form."""
    from surveyapp.auth.access import SESSION_KEY
    from surveyapp.models import UserSession
    from surveyapp.services.auth import hash_session_id

    raw = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(UserSession(id_hash=hash_session_id(raw), user_id=user_id))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie[SESSION_KEY] = raw
    return client


def clients_by_language(app, make_user, role: str, prefix: str = "") -> dict:
    """A French-speaking and an English-speaking account of `role`, each logged in on its own
    test client ({"fr": client, "en": client}; e-mails `<prefix><lang>@example.org`)."""
    out = {}
    for lang in ("fr", "en"):
        email = f"{prefix}{lang}@example.org"
        make_user(email, role, language=lang)
        out[lang] = app.test_client()
        login(out[lang], email)
    return out
