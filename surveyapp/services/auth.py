"""Admin logins as revocable server-side sessions, and account changes made from the admin UI.

The browser's cookie carries a random 256-bit id; the database keeps only its SHA-256
(`UserSession.id_hash`), so a copy of the database cannot be used to log in, and logging out
(revoked_at) makes every copy of the cookie useless.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveyapp.i18n import SUPPORTED_LOCALES
from surveyapp.models import User, UserSession
from surveyapp.services import accounts
from surveyapp.services.audit import Actor, record
from surveyapp.services.transaction import begin_write


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a login lives: idle and absolute limits, and how often last_seen_at is written."""

    idle: timedelta
    absolute: timedelta
    touch_every: timedelta = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Login:
    """A successful login: the user and the raw session id for the cookie (never stored)."""

    user: User
    session_id: str


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """A valid session: its user, its key, and whether last_seen_at is due for a write."""

    user: User
    id_hash: str
    needs_touch: bool


def hash_session_id(raw: str) -> str:
    """The database key of a raw session id."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def user_actor(user: User | None) -> Actor:
    """The audit actor for a logged-in user (views pass `current_user()`, which the role
    guards have already checked; None means a view lost its guard)."""
    if user is None:
        raise PermissionError("an audited action needs a signed-in user")
    return Actor("user", user.email)


def log_in(session: Session, email: str, password: str, now: datetime) -> Login | None:
    """Check the credentials and open a session; audit success and failure. Commits."""
    user = accounts.verify_password(session, email, password)
    new_hash = accounts.rehashed_password(user, password) if user is not None else None
    user_id = user.id if user is not None else None
    known = None if user_id is not None else _known_email(session, email)
    begin_write(session)
    if user_id is None:
        record(session, Actor("user", known), "auth.login_failed", target=known)
        session.commit()
        return None
    user = session.get(User, user_id)
    if user is None:  # deleted between the check and the write
        session.rollback()
        return None
    if new_hash:
        user.password_hash = new_hash
    raw = secrets.token_urlsafe(32)
    session.add(
        UserSession(id_hash=hash_session_id(raw), user_id=user.id, created_at=now, last_seen_at=now)
    )
    user.last_login_at = now
    record(
        session,
        user_actor(user),
        "auth.login",
        target=user.email,
        details={"rehashed": bool(new_hash)},
    )
    session.commit()
    return Login(user, raw)


def _known_email(session: Session, email: str) -> str | None:
    """The normalised e-mail when an account has it; unknown addresses are never recorded."""
    try:
        email = accounts.normalise_email(email)
    except accounts.AccountError:
        return None
    return session.scalar(select(User.email).where(User.email == email))


def check_session(
    session: Session, raw: str | None, now: datetime, policy: SessionPolicy
) -> SessionCheck | None:
    """The session's user when the id is known, not revoked, not expired and its user active."""
    if not raw or len(raw) > 128:
        return None
    id_hash = hash_session_id(raw)
    row = session.get(UserSession, id_hash)
    if row is None or row.revoked_at is not None:
        return None
    if now - row.last_seen_at > policy.idle or now - row.created_at > policy.absolute:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return SessionCheck(user, id_hash, now - row.last_seen_at >= policy.touch_every)


def touch_session(session: Session, id_hash: str, now: datetime) -> None:
    """Record activity on a session (called at most once a minute per session). Commits."""
    begin_write(session)
    session.execute(
        update(UserSession)
        .where(UserSession.id_hash == id_hash, UserSession.revoked_at.is_(None))
        .values(last_seen_at=now)
    )
    session.commit()


def log_out(session: Session, raw: str | None, now: datetime) -> bool:
    """Revoke the session of this raw id; False when there was none to revoke. Commits."""
    if not raw:
        return False
    begin_write(session)
    row = session.get(UserSession, hash_session_id(raw))
    if row is None or row.revoked_at is not None:
        session.rollback()
        return False
    row.revoked_at = now
    user = session.get(User, row.user_id)
    record(
        session,
        Actor("user", user.email if user else None),
        "auth.logout",
        target=user.email if user else None,
    )
    session.commit()
    return True


def set_language(session: Session, user_id: int, language: str) -> None:
    """Change the interface language of a user's admin pages. Commits."""
    if language not in SUPPORTED_LOCALES:
        raise accounts.AccountError(f"unsupported language {language!r}")
    begin_write(session)
    session.execute(update(User).where(User.id == user_id).values(language=language))
    session.commit()


def disable_account(session: Session, user_id: int, actor_user: User, now: datetime) -> User:
    """Disable an account from the admin UI and revoke its sessions. Commits.

    Refuses to disable oneself or the last active admin (nobody could manage users after).
    """
    target = session.get(User, user_id)
    if target is None:
        raise accounts.AccountError("no such user")
    if target.id == actor_user.id:
        raise accounts.AccountError("you cannot disable your own account")
    if target.role == "admin" and _active_admins(session) <= 1:
        raise accounts.AccountError("the last active admin cannot be disabled")
    email = target.email
    begin_write(session)
    return accounts.disable_user(session, email, user_actor(actor_user), now)  # revokes too


def _active_admins(session: Session) -> int:
    return len(session.scalars(select(User.id).where(User.role == "admin", User.is_active)).all())
