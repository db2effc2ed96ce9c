"""Invitations: contact lists, their participation, sending waves and the suppression list.

Nothing here points at a response, and nothing in `responses` points here: a personal link
reaches its response only through a key derived with the application's secret (see
`surveyapp.services.invitations.links`), so a copy of the database cannot join the two.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from surveyapp.domain import ContactProgress, MailKind, check_in
from surveyapp.models.base import Base, JSONDocument, UTCDateTime, utcnow

#: How far a contact has gone, in order; `unsubscribed` and `bounced` are flags beside it.
PROGRESS = tuple(step.value for step in ContactProgress)
WAVE_KINDS = tuple(kind.value for kind in MailKind)
MAIL_KINDS = WAVE_KINDS


class InvitationContact(Base):
    """One invited person of one survey: address, language, attributes, participation."""

    __tablename__ = "invitation_contacts"
    __table_args__ = (
        UniqueConstraint("survey_id", "email"),
        CheckConstraint(check_in("progress", ContactProgress), name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: Trimmed, lower-case address (the merge key of duplicate rows).
    email: Mapped[str] = mapped_column(String(254))
    #: Language of the mails and of the survey pages the link opens (one of the schema's).
    language: Mapped[str] = mapped_column(String(8))
    #: Values of the schema's declared parameters (panel segment…), carried into the response.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    #: Random key from which the personal link is derived with the app's secret; the link
    #: itself is never stored.
    link_key: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the personal link's token, to find the contact when the link is opened.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: pending (never mailed), sent, opened (link followed), started, completed.
    progress: Mapped[str] = mapped_column(
        String(16), default=ContactProgress.PENDING.value, server_default="pending"
    )
    unsubscribed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    bounced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The sending wave of the first invitation (the funnel is read per wave).
    wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation_waves.id", ondelete="SET NULL")
    )
    #: Reminders sent so far, and the day of the last mail (a day, never a time of day).
    reminders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_sent_on: Mapped[date | None] = mapped_column(Date)
    #: The SMTP server's last refusal or the bounce's diagnostic, shown to the study team.
    last_error: Mapped[str | None] = mapped_column(String(300))


class InvitationWave(Base):
    """One sending: invitations or reminders, with its counters (the job's progress)."""

    __tablename__ = "invitation_waves"
    __table_args__ = (CheckConstraint(check_in("kind", MailKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Contacts selected when the wave started, and how many were accepted or refused.
    recipients: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InvitationTemplate(Base):
    """The study team's text of one mail kind in one language (defaults apply without one)."""

    __tablename__ = "invitation_templates"
    __table_args__ = (
        UniqueConstraint("survey_id", "kind", "language"),
        CheckConstraint(check_in("kind", MailKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    #: Jinja text with `{{ link }}`, `{{ unsubscribe_link }}` and the declared attributes.
    text: Mapped[str] = mapped_column(Text)
    #: Optional HTML part (autoescaped); without it the mail is text only.
    html: Mapped[str | None] = mapped_column(Text)


class EmailSuppression(Base):
    """An address that unsubscribed: never mailed again, whatever the survey."""

    __tablename__ = "email_suppressions"

    #: SHA-256 of the normalised address: the list outlives the contact lists it came from.
    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_on: Mapped[date] = mapped_column(Date)
