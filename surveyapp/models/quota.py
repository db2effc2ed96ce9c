"""Quota cells with their counters, and the claims that responses hold on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from surveyapp.domain import QuotaKind, check_in
from surveyapp.models.base import Base, UTCDateTime, utcnow


class QuotaCell(Base):
    """One cell of a schema quota; `completes` is claimed with a conditional UPDATE.

    The ceiling is enforced by the claim (`... WHERE completes < target`), not by a CHECK:
    the study team may lower a target below a cell's count during fieldwork.
    """

    __tablename__ = "quota_cells"
    __table_args__ = (
        UniqueConstraint("survey_id", "cell_id"),
        CheckConstraint("completes >= 0", name="completes_nonnegative"),
        CheckConstraint("target >= 0", name="target_nonnegative"),
        CheckConstraint(check_in("kind", QuotaKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    #: The schema's quota id and the cell id (`country_size__1__3`).
    quota_id: Mapped[str] = mapped_column(String(64))
    cell_id: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(8))
    target: Mapped[int] = mapped_column(Integer)
    completes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Closed by the study team: no claim succeeds whatever the count.
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuotaClaim(Base):
    """A slot a completed response holds in a cell; deleting the response releases it."""

    __tablename__ = "quota_claims"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    cell_id: Mapped[int] = mapped_column(
        ForeignKey("quota_cells.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
