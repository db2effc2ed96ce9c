"""Password changes by their owner and password resets by an admin (or the CLI).

Both use the creation policy (`accounts.check_password_policy`, argon2id with `accounts.HASHER`)
and end the account's other sessions: a password that may have leaked must not leave a thief's
session open. A reset sets a temporary password, returned once and never stored in clear, and
`must_change_password`, which keeps the account on the change form until it picks its own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.models import User, UserSession
from surveyapp.services import accounts
from surveyapp.services.audit import Actor, record
from surveyapp.services.auth import hash_session_id, user_actor
from surveyapp.services.sqlutil import present
from surveyapp.services.transaction import begin_write


class PasswordError(accounts.AccountError):
    """A refused change; `reason` is a code the view turns into a message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Reset:
    """A reset account and its temporary password (shown once, never stored in clear)."""

    user: User
    password: str


def change_password(session: Session, user_id: int, current: str, new: str, now: datetime) -> str:
    """Change one's own password; revokes every session and returns a new raw session id.

    The current session is re-issued rather than kept, so a session id seen before the change
    (for instance the one an attacker used) dies with the others. Commits.
    """
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise PasswordError("no_user")
    try:
        accounts.HASHER.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise PasswordError("wrong_current") from None
    if new == current:
        raise PasswordError("unchanged")
    try:
        accounts.check_password_policy(new)
    except accounts.AccountError:
        raise PasswordError("policy") from None
    new_hash = accounts.HASHER.hash(new)  # argon2 before the write lock, not under it
    begin_write(session)
    user = present(session.get(User, user_id), f"user {user_id}")
    user.password_hash = new_hash
    user.must_change_password = False
    revoked = accounts.revoke_user_sessions(session, user.id, now)
    raw = secrets.token_urlsafe(32)
    session.add(
        UserSession(id_hash=hash_session_id(raw), user_id=user.id, created_at=now, last_seen_at=now)
    )
    record(
        session,
        user_actor(user),
        "user.password_change",
        target=user.email,
        details={"sessions_revoked": revoked},
    )
    session.commit()
    return raw


def reset_password(session: Session, email: str, actor: Actor, now: datetime) -> Reset:
    """Give an account a temporary password it must change at its next login. Commits.

    Its sessions and its API tokens are revoked: a reset answers a forgotten or compromised
    password, and a token made by whoever held it must not outlive it. A disabled account stays
    disabled (re-enabling is separate).
    """
    try:
        address = accounts.normalise_email(email)
    except accounts.AccountError:
        raise PasswordError("no_user") from None
    temporary = secrets.token_urlsafe(12)  # 16 characters, 96 bits
    new_hash = accounts.HASHER.hash(temporary)
    begin_write(session)
    user = session.scalar(select(User).where(User.email == address))
    if user is None:
        session.rollback()
        raise PasswordError("no_user")
    user.password_hash = new_hash
    user.must_change_password = True
    revoked = accounts.revoke_user_sessions(session, user.id, now)
    tokens = accounts.revoke_user_tokens(session, user.id, now)
    record(
        session,
        actor,
        "user.password_reset",
        target=user.email,
        details={"sessions_revoked": revoked, "tokens_revoked": tokens},
    )
    session.commit()
    return Reset(user, temporary)


def reset_account(session: Session, user_id: int, actor_user: User, now: datetime) -> Reset:
    """An admin's reset from the users page; refuses one's own account (use the change form)."""
    target = session.get(User, user_id)
    if target is None or target.id == actor_user.id:
        raise PasswordError("not_allowed")
    return reset_password(session, target.email, user_actor(actor_user), now)
