"""Surveys and their published schema versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.domain import SurveyAccess, SurveyState, check_in
from surveyapp.models.base import Base, UTCDateTime, utcnow

SURVEY_STATES = tuple(state.value for state in SurveyState)


class Survey(Base):
    """A questionnaire the study team runs; its content lives in `SurveyVersion` rows."""

    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint(check_in("state", SurveyState), name="state"),
        CheckConstraint("retention_days IS NULL OR retention_days > 0", name="retention_days"),
        CheckConstraint(check_in("access", SurveyAccess), name="access"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: URL slug, the schema's `survey.id`.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    #: draft (preview and test only), open (fieldwork) or closed.
    state: Mapped[str] = mapped_column(
        String(16), default=SurveyState.DRAFT.value, server_default="draft"
    )
    #: open: anyone with the survey's link may start; invitation: only personal invitation
    #: links (and test mode) start a response, the open link answers a polite 404.
    access: Mapped[str] = mapped_column(
        String(16), default=SurveyAccess.OPEN.value, server_default="open"
    )
    #: Fieldwork window; outside it the survey shows its closed page.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Responses older than this many days are deleted by `surveyapp purge`.
    retention_days: Mapped[int | None] = mapped_column(Integer)
    #: The version new respondents start with.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    current_version: Mapped[SurveyVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class SurveyVersion(Base):
    """One published schema file; a response is always evaluated against its own version."""

    __tablename__ = "survey_versions"
    __table_args__ = (
        UniqueConstraint("survey_id", "number"),
        UniqueConstraint("survey_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3… in the order versions were loaded.
    number: Mapped[int] = mapped_column(Integer)
    #: The schema's own `survey.version` string.
    label: Mapped[str] = mapped_column(String(64))
    #: The schema file exactly as loaded (YAML text); deferred: requests use the compiled cache.
    source: Mapped[str] = mapped_column(Text, deferred=True)
    #: SHA-256 of `source`: loading the same file twice does not make a new version.
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
