"""API tokens for scripts: shown once, stored as SHA-256, scoped, expiring, revocable, audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveyapp.domain import TokenScope
from surveyapp.models import ApiToken, Survey, User, utcnow
from surveyapp.services import accounts
from surveyapp.services.audit import Actor, record
from surveyapp.services.sqlutil import affected
from surveyapp.services.transaction import begin_write, transactional

#: What a token may be used for.
SCOPES = tuple(scope.value for scope in TokenScope)
#: Tokens start with this, so that secret scanners and people can recognise them.
TOKEN_PREFIX = "sva_"  # noqa: S105 - a public marker, not a secret
DEFAULT_DAYS = 30
MAX_DAYS = 90


class TokenError(ValueError):
    """A user-facing problem with a token operation."""


@dataclass(frozen=True, slots=True)
class NewToken:
    """A created token and its secret, which exists nowhere else: show it once."""

    token: ApiToken
    secret: str


@dataclass(frozen=True, slots=True)
class TokenUse:
    """An accepted token: its row and its owner."""

    token: ApiToken
    user: User


def hash_token(secret: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_actor(token: ApiToken) -> Actor:
    """The audit actor for a token: its display prefix, never the secret."""
    return Actor("token", token.prefix)


@transactional
def create_token(
    session: Session,
    email: str,
    scopes: list[str],
    surveys: list[str] | None,
    days: int | None,
    actor: Actor,
    now: datetime | None = None,
    note: str | None = None,
) -> NewToken:
    """Create a token for an active user; `surveys` None means every survey. Commits."""
    now = now or utcnow()
    days = DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"a token expires after 1 to {MAX_DAYS} days")
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise TokenError(f"scopes must be among {', '.join(SCOPES)}")
    user = session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None or not user.is_active:
        raise TokenError(f"no active user {email}")
    if surveys is not None:
        surveys = sorted(set(surveys))
        found = set(session.scalars(select(Survey.slug).where(Survey.slug.in_(surveys))))
        missing = [slug for slug in surveys if slug not in found]
        if missing:
            raise TokenError(f"no survey {', '.join(missing)}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        prefix=secret[:12],
        token_hash=hash_token(secret),
        scopes=sorted(set(scopes)),
        surveys=surveys,
        created_at=now,
        expires_at=now + timedelta(days=days),
        meta={"note": note} if note else {},
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor,
        "token.create",
        target=token.prefix,
        details={
            "id": token.id,
            "user": user.email,
            "scopes": token.scopes,
            "surveys": surveys,
            "days": days,
        },
    )
    return NewToken(token, secret)


def list_tokens(session: Session) -> list[tuple[ApiToken, str]]:
    """Every token with its owner's e-mail, newest first."""
    rows = session.execute(
        select(ApiToken, User.email)
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [(token, email) for token, email in rows]


@transactional
def revoke_token(
    session: Session, token_id: int, actor: Actor, now: datetime | None = None
) -> ApiToken:
    """Revoke a token (it fails from the next request on). Commits."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise TokenError(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        record(session, actor, "token.revoke", target=token.prefix, details={"id": token.id})
    return token


def is_live(token: ApiToken, now: datetime) -> bool:
    """Not revoked and not expired."""
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def authenticate(
    session: Session,
    secret: str,
    scope: str,
    survey: Survey | None,
    request_target: str,
    now: datetime | None = None,
) -> TokenUse | None:
    """The token and owner when `secret` is live, its owner active, and it covers scope+survey.

    Every accepted use is audit-logged (`token.use`) and stamps last_used_at. Commits.
    """
    now = now or utcnow()
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(secret))
    ).first()
    if row is None:
        return None
    token, user = row
    if not is_live(token, now) or not user.is_active or scope not in (token.scopes or []):
        return None
    if survey is not None and token.surveys is not None and survey.slug not in token.surveys:
        return None
    token_id, prefix, user_id, email = token.id, token.prefix, user.id, user.email
    survey_id = survey.id if survey is not None else None
    begin_write(session)
    stamped = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(last_used_at=now)
    )
    if affected(stamped) != 1:  # revoked between the check and now
        session.rollback()
        return None
    record(
        session,
        Actor("token", prefix),
        "token.use",
        survey_id=survey_id,
        target=request_target[:254],
        details={"id": token_id, "scope": scope, "user": email},
    )
    session.commit()
    reloaded, owner = session.get(ApiToken, token_id), session.get(User, user_id)
    if reloaded is None or owner is None:
        return None
    return TokenUse(token, user)
