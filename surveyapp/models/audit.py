"""The audit log: who did what to which survey; never an answer's content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, JSONDocument, UTCDateTime, utcnow


class AuditEvent(Base):
    """One audited action (login, export, quota change, response deletion…)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        # A survey's events (when it was closed), and SET NULL when the survey is deleted.
        Index("ix_audit_events_survey_id_action_at", "survey_id", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: user, token, system (CLI) or respondent.
    actor_type: Mapped[str] = mapped_column(String(16))
    #: The user's e-mail, the token prefix, or the CLI user.
    actor: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    #: What was acted on (a response id, a cell id, a user e-mail…).
    target: Mapped[str | None] = mapped_column(String(254))
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
