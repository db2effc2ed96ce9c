"""Background jobs: a heavy export or computation run by a worker, its progress and its file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.domain import JobState, check_in
from surveyapp.models.base import Base, JSONDocument, UTCDateTime, utcnow

JOB_STATES = tuple(state.value for state in JobState)


class Job(Base):
    """One background job of a survey (see surveyapp/jobs): state, progress, result file."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(check_in("state", JobState), name="state"),
        CheckConstraint("done >= 0", name="done"),
        Index("ix_jobs_survey_id_created_at", "survey_id", "created_at"),
        Index("ix_jobs_state_heartbeat_at", "state", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The job goes (rows and files) with its survey.
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    #: A name of `surveyapp.jobs.kinds.KINDS` (csv, sav, results…).
    kind: Mapped[str] = mapped_column(String(32))
    #: The options of the export or computation, as query parameters.
    params: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    #: queued, running, done or failed.
    state: Mapped[str] = mapped_column(
        String(16), default=JobState.QUEUED.value, server_default="queued"
    )
    #: Units of work done (rows read) and expected (None while unknown).
    done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    #: Runs started; a run whose worker stopped answering is started again once.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Why it failed, as a code the pages put in words (see surveyapp/jobs/kinds.py).
    error: Mapped[str | None] = mapped_column(String(32))
    #: Technical detail of the failure, for the operator (English, never shown to respondents).
    error_text: Mapped[str | None] = mapped_column(Text)
    #: The finished file, relative to the jobs folder; None until the job is done.
    file_path: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    #: Who asked (audit actor kind and name): the export inside is audit-logged as them.
    created_by_type: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Last sign of life of the worker running it (the lease).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        """Done or failed: nothing more will happen."""
        return self.state in ("done", "failed")
