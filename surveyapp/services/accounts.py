"""User accounts: creation, listing, passwords hashed with argon2id."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surveyapp.models import ROLES, ApiToken, User, UserSession, utcnow
from surveyapp.services.audit import Actor, record
from surveyapp.services.sqlutil import affected
from surveyapp.services.transaction import transactional

#: OWASP's first argon2id option (m=46 MiB, t=1, p=1) raised to t=2.
HASHER = PasswordHasher(time_cost=2, memory_cost=47104, parallelism=1)
#: Verified against when the e-mail is unknown, so both cases cost the same time.
DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A user-facing problem with an account operation."""


@dataclass(frozen=True, slots=True)
class NewUser:
    """A created user and, when generated, its one-time password."""

    user: User
    password: str | None


def normalise_email(email: str) -> str:
    """Lower-case, trimmed e-mail address; refuses one without a local part and a domain."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 254:
        raise AccountError(f"not a valid e-mail address: {email!r}")
    return email


#: The password policy of every account (creation, change, reset by the owner).
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024


def check_password_policy(password: str) -> None:
    """Refuse a password shorter than 10 or longer than 1,024 characters (argon2 hashes any)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError("the password must have at least 10 characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError("the password must have at most 1024 characters")


@transactional
def create_user(
    session: Session, email: str, role: str, password: str | None, actor: Actor
) -> NewUser:
    """Create a user; generates a password when none is given. Commits."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    email = normalise_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"a user {email} already exists")
    generated = None
    if password is None:
        password = generated = secrets.token_urlsafe(12)
    check_password_policy(password)
    user = User(email=email, role=role, password_hash=HASHER.hash(password))
    session.add(user)
    session.flush()
    record(session, actor, "user.create", target=email, details={"role": role})
    return NewUser(user, generated)


def count_users(session: Session) -> int:
    """How many accounts exist."""
    return session.scalar(select(func.count(User.id))) or 0


def list_users(session: Session) -> list[User]:
    """Every account, by e-mail."""
    return list(session.scalars(select(User).order_by(User.email)))


def revoke_user_sessions(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every open session of a user (the caller commits); returns how many."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return affected(result) or 0


def revoke_user_tokens(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every live API token of a user (the caller commits); returns how many."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return affected(result)


def disable_user(session: Session, email: str, actor: Actor, now: datetime | None = None) -> User:
    """Disable an account and revoke its session rows (its tokens stop working too). Commits.

    The web and the CLI both come here, so a disabled account never keeps an open session row
    that re-enabling it would bring back to life.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"no user {email}")
    user.is_active = False
    revoked = revoke_user_sessions(session, user.id, now or utcnow())
    record(session, actor, "user.disable", target=user.email, details={"sessions_revoked": revoked})
    session.commit()
    return user


def verify_password(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, else None; equal cost for unknown users."""
    try:
        email = normalise_email(email)
    except AccountError:
        email = ""
    user = session.scalar(select(User).where(User.email == email)) if email else None
    encoded = user.password_hash if user is not None else DUMMY_HASH
    try:
        HASHER.verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    return user


def rehashed_password(user: User, password: str) -> str | None:
    """A new hash of the (verified) password when the stored one used older parameters, else
    None. The caller stores it inside its write transaction."""
    if HASHER.check_needs_rehash(user.password_hash):
        return HASHER.hash(password)
    return None
