"""Computed results tables shared by every worker and host (the results page's cache)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow


class ResultsCache(Base):
    """The tables of one survey for one set of options, on one state of its responses.

    `key` digests the survey, its versions, the filters, breakdown and weighting and the
    fingerprint of the matching responses (count, last id, last update): a new, changed or
    deleted response gives a new key, so a row is never served for data it was not made from.
    """

    __tablename__ = "results_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    #: The responses' fingerprint alone: rows of an older one are deleted when a new one is stored.
    fingerprint: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: HMAC-SHA256 (app secret key) of `payload`, checked before it is unpickled.
    signature: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
