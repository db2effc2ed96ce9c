"""Computed results tables shared by every worker and host (the results page's cache)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
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
    #: Digest of the survey, versions, filters, breakdown and weighting without the responses'
    #: fingerprint: the latest figures of a view, shown while a refresh runs.
    scope: Mapped[str | None] = mapped_column(String(64), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: HMAC-SHA256 (app secret key) of `payload`, checked before it is unpickled.
    signature: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class ResultsColumns(Base):
    """The responses of one survey and set of filters read into columns (`results.data`),
    with the high-water mark they were read up to, so the next computation reads only the
    responses added since (`services.results_columns`).

    `key` digests the survey, its versions and the filters. The mark: every matching response
    with `updated_at <= read_until` was read, `count` of them, their ids summing to `id_sum`
    and their revisions to `revision_sum`; when the responses up to the mark no longer give
    these (one deleted, withdrawn or changed), the columns are read again from scratch.
    """

    __tablename__ = "results_columns"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    read_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(Integer)
    id_sum: Mapped[int] = mapped_column(BigInteger)
    #: Every change of a response bumps its revision: a change is seen whatever its time stamp.
    revision_sum: Mapped[int] = mapped_column(BigInteger)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: HMAC-SHA256 (app secret key) of `payload` (a compressed pickle), checked before loading.
    signature: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
