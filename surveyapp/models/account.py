"""Admin users, their server-side sessions and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false, true

from surveyapp.domain import Role, check_in
from surveyapp.models.base import Base, JSONDocument, UTCDateTime, utcnow

ROLES = tuple(role.value for role in Role)


class User(Base):
    """A member of the study team: admin, study or analyst."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(check_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: argon2id hash (argon2-cffi's encoded form).
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: Interface language of the admin pages (fr, en).
    language: Mapped[str] = mapped_column(String(8), default="fr", server_default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set by an admin password reset: every admin page leads to the change form until changed.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class UserSession(Base):
    """A login; the cookie carries a random id whose hash is the key, so logout revokes it."""

    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A bearer token for scripts: shown once, stored hashed, scoped, expiring, revocable."""

    __tablename__ = "api_tokens"
    #: SQLite: a revoked-then-deleted token's id (named in audit details) is never reused.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: First characters of the token, shown in listings to tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Allowed uses: "export", "quotas".
    scopes: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    #: Survey slugs the token may read; NULL means every survey.
    surveys: Mapped[list[str] | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    meta: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
