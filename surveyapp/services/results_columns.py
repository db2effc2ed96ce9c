"""The results' column store, shared through the database and updated incrementally.

A computation reads the responses matching a survey's filters into columns
(`results.data.build_dataset`) and stores them in `results_columns` with a high-water mark:
every matching response updated up to `read_until` was read, `count` of them, their ids
summing to `id_sum`, their revisions to `revision_sum` (every change of a response bumps
it). The next computation, on any worker or host, checks the mark (one aggregate query on
the responses up to it): when the count and the sums still match, it reads
only the responses updated after the mark and merges their columns (`results.merge`);
otherwise (a response deleted, withdrawn, changed, or committed late with an older time
stamp) it reads everything again. A change of versions (schema), filters or of this module's
`FORMAT` gives another key: a read from scratch. Weighting and breakdowns are computed from
the columns on every computation, so they never go stale.

Payloads are pickled, compressed and signed (HMAC-SHA256 under the app's secret key): an
altered row or one from another release is read again from scratch, never trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import and_, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.exports.query import ExportFilters, conditions, stream_records
from surveyapp.exports.rows import Record
from surveyapp.models import Response, ResultsColumns, utcnow
from surveyapp.results.data import Dataset, build_dataset
from surveyapp.results.merge import merge
from surveyapp.results.variables import Variable
from surveyapp.services.sqlutil import bound_engine
from surveyapp.services.transaction import begin_write

#: WHERE clauses of the matching responses.
Where = list[ColumnElement[bool]]

log = logging.getLogger(__name__)

#: Part of every key: bump when `Dataset` or the way columns are built changes.
#: The versions a read covers: (number, schema source, version label) of each.
Versions = tuple[tuple[int, str, str], ...]

FORMAT = 1


@dataclass(frozen=True, slots=True)
class Read:
    """The columns, and how they were obtained ("cached", "incremental" or "full")."""

    data: Dataset
    how: str
    added: int


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _secret() -> bytes | None:
    return str(current_app.secret_key).encode() if has_app_context() else None


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def _mark(session: Session, where: Where, until: datetime | None) -> tuple[int, int, int]:
    """(count, sum of ids, sum of revisions) of the matching responses updated up to `until`.
    Every change of a response bumps its revision, so a change the time stamps would not show
    (a host whose clock is behind) still changes the mark."""
    if until is None:
        return (0, 0, 0)
    count, ids, revisions = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Response.id), 0),
            func.coalesce(func.sum(Response.revision), 0),
        ).where(and_(*where, Response.updated_at <= until))
    ).one()
    return int(count), int(ids), int(revisions)


def _base(
    session: Session, row: ResultsColumns | None, where: Where, secret: bytes
) -> Dataset | None:
    """The stored columns when their mark still holds, else None."""
    if row is None or row.read_until is None:
        return None
    if not hmac.compare_digest(row.signature, _sign(secret, row.payload)):
        log.warning("event=results_columns_bad_signature survey_id=%s", row.survey_id)
        return None
    if _mark(session, where, row.read_until) != (row.count, row.id_sum, row.revision_sum):
        return None  # a response up to the mark was deleted, withdrawn, changed or late
    try:
        # nosec B301: the payload is HMAC-signed with the secret key, checked just above
        data = pickle.loads(zlib.decompress(row.payload))  # noqa: S301 # nosec B301
    except Exception:  # another release's classes: read again
        log.warning("event=results_columns_unreadable survey_id=%s", row.survey_id)
        return None
    return data if isinstance(data, Dataset) and data.n == row.count else None


def read_columns(
    session: Session,
    survey_id: int,
    versions: Versions,
    filters: ExportFilters,
    variables: Mapping[str, Variable],
    schemas: Mapping[int, CompiledSurvey],
    counted: Callable[[Iterable[Iterable[Record]]], Iterable[Iterable[Record]]] | None = None,
) -> Read:
    """The columns of the matching responses: the stored ones plus those updated since their
    mark, or everything read again when the mark does not hold. `counted` wraps the batches
    read (progress)."""
    where = conditions(survey_id, filters)
    until = session.scalar(select(func.max(Response.updated_at)).where(and_(*where)))
    mark = _mark(session, where, until)
    secret = _secret()
    key = _digest((FORMAT, survey_id, versions, filters.describe(), tuple(variables)))
    row = None
    base = None
    if secret is not None:
        row = session.scalar(select(ResultsColumns).where(ResultsColumns.key == key))
        base = _base(session, row, where, secret)
    stored_until = row.read_until if row is not None else None
    if base is not None and (until is None or (stored_until is not None and until <= stored_until)):
        return Read(base, "cached", 0)
    extra: Where = []
    if base is not None and row is not None:
        extra.append(Response.updated_at > row.read_until)
    if until is not None:
        extra.append(Response.updated_at <= until)
    batches: Iterable[Iterable[Record]] = stream_records(
        bound_engine(session), survey_id, filters, where=extra
    )
    if counted is not None:
        batches = counted(batches)
    new = build_dataset(variables.values(), schemas, batches)
    data = merge(base, new) if base is not None else new
    if secret is not None and (data.n, int(data.ids.sum())) == mark[:2]:
        # (a response changed during the read: not stored, the next computation reads again)
        _store(session, survey_id, key, until, mark, data, secret)
    return Read(data, "incremental" if base is not None else "full", new.n)


def _store(
    session: Session,
    survey_id: int,
    key: str,
    until: datetime | None,
    mark: tuple[int, int, int],
    data: Dataset,
    secret: bytes,
) -> None:
    """Replace the stored columns of this key (a failure is harmless: the next computation
    reads everything again)."""
    payload = zlib.compress(pickle.dumps(data, protocol=5), 1)
    try:
        begin_write(session)
        session.execute(delete(ResultsColumns).where(ResultsColumns.key == key))
        session.add(
            ResultsColumns(
                survey_id=survey_id,
                key=key,
                read_until=until,
                count=mark[0],
                id_sum=mark[1],
                revision_sum=mark[2],
                computed_at=utcnow(),
                signature=_sign(secret, payload),
                payload=payload,
            )
        )
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("event=results_columns_not_stored survey_id=%s error=%s", survey_id, exc)
