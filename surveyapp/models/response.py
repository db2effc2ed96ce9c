"""Responses (one JSON document of answers each) and the separate contact list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from surveyapp.domain import ResponseStatus, check_in
from surveyapp.models.base import Base, JSONDocument, UTCDateTime, utcnow

RESPONSE_STATUSES = tuple(status.value for status in ResponseStatus)


class Response(Base):
    """One respondent's answers to one survey version, and where they are in it."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(check_in("status", ResponseStatus), name="status"),
        # One completion per response: a finished response has exactly one ending and end time.
        CheckConstraint(
            "(status = 'in_progress' AND ending_id IS NULL AND completed_at IS NULL)"
            " OR (status <> 'in_progress' AND ending_id IS NOT NULL AND completed_at IS NOT NULL)",
            name="one_completion",
        ),
        Index("ix_responses_survey_status_completed", "survey_id", "status", "completed_at"),
        # Dashboard starts by day, exports including responses in progress.
        Index("ix_responses_survey_id_started_at", "survey_id", "started_at"),
        # Responses of a version (quota report schemas, deleting a version's survey).
        Index("ix_responses_version_id", "version_id"),
        # Covers the results' fingerprint (count, max id, max update of the matching responses:
        # services.results._fingerprint), an index-only scan. PostgreSQL: finished responses
        # only (the results' statuses imply it; SQLite would not use it). Migration 0011.
        Index(
            "ix_responses_results_fingerprint",
            "survey_id",
            "status",
            "is_test",
            "completed_at",
            "updated_at",
            "id",
            postgresql_where=text("status <> 'in_progress'"),
        ),
        # SQLite: never reuse a deleted response's id (audit lines and exports name ids).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    #: SHA-256 of the respondent's token (cookie / continue-later code); the token itself is
    #: never stored, so a copy of the database cannot resume anyone's response.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: SHA-256 of the withdrawal code given on the thank-you page.
    withdrawal_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(
        String(16), default=ResponseStatus.IN_PROGRESS.value, server_default="in_progress"
    )
    #: The schema ending reached (`end_complete`, `so1`, `qf`…); NULL while in progress.
    ending_id: Mapped[str | None] = mapped_column(String(64))
    #: Language of the pages shown (fr, en), and whether the respondent chose it explicitly.
    language: Mapped[str] = mapped_column(String(8))
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The page the respondent must answer next, and the pages answered so far (for Back).
    current_page: Mapped[str | None] = mapped_column(String(64))
    page_history: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    #: Answers by question code, as language-neutral codes (absent = not asked, null = left blank).
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    #: Declared URL parameters (recruitment source…); transient ones are erased at the ending.
    params: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    #: What was typed on pages left without submitting (Back, language switch, continue later),
    #: by page id; never validated answers, never the e-mail; cleared at the ending.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    #: Seed of the per-response random orders (a reload shows the same order).
    seed: Mapped[str] = mapped_column(String(32))
    #: Consent text version accepted on the first page.
    consent_version: Mapped[str | None] = mapped_column(String(32))
    #: Test-mode responses are kept out of quotas and exports by default.
    is_test: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Optimistic concurrency: every page save increments it under a WHERE on the old value.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Contact(Base):
    """An e-mail address left at the end of a survey, kept with no link to any response."""

    __tablename__ = "contacts"

    #: Random, so that neither the key nor its order can be matched to a response.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    #: The codes ticked in the questions the schema's `contact.with` names.
    requests: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
