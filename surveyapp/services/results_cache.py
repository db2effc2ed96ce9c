"""The results page's tables, shared by every worker and host through the database.

The first request for a survey, set of options and state of the responses computes the tables
and stores them (`ResultsCache`); any later request, on any worker or host, reads them back
with their time stamp instead of reading every response again. The key holds the responses'
fingerprint (count, last id, last update), so figures are never passed off as current: when
the responses changed, a small view is computed afresh in the request, and a view of more
responses than `background_over` shows its latest figures (same `scope`: survey, versions,
filters, breakdown, weighting) marked stale, with their time stamp, while a job refreshes them.
Payloads are pickled and signed with the app's secret key; an unsigned, altered or unreadable
row (another release's classes) is recomputed, never trusted.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import hmac
import logging
import pickle
import types
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, overload

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from surveyapp.i18n import SUPPORTED_LOCALES
from surveyapp.models import ResultsCache, Survey, utcnow
from surveyapp.results import breakdowns as bd
from surveyapp.results import formats, tables
from surveyapp.results.report import Report
from surveyapp.results.sheet import Line, Pct
from surveyapp.results.significance import TableTest
from surveyapp.results.variables import Item, Variable
from surveyapp.results.weighting import CellWeight, Scheme, Weights
from surveyapp.services import exports
from surveyapp.services import results as service
from surveyapp.services.transaction import begin_write

log = logging.getLogger(__name__)


def read_only(items: dict[str, Any]) -> types.MappingProxyType[str, Any]:
    """A read-only mapping again (how pickled labels and titles are rebuilt)."""
    return types.MappingProxyType(items)


# Read-only mappings (labels, titles) inside the tables pickle as a dict wrapped again.
copyreg.pickle(types.MappingProxyType, lambda m: (read_only, (dict(m),)))


def _pickle_by_fields(cls: type) -> None:
    """Pickle a frozen, slotted dataclass as `cls(*values)`: its default unpickling calls
    `dataclasses.fields()` per object, about 1 s for the 3,500 objects of a page's tables."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    copyreg.pickle(cls, lambda obj: (cls, tuple(getattr(obj, n) for n in names)))


for _cls in (
    bd.Group, bd.Breakdown, bd.Grouping, bd.ColumnSpec, Pct, Line, TableTest, tables.Base,
    tables.Cell, tables.Row, tables.Column, Item, Variable, Scheme, CellWeight, Weights,
):  # fmt: skip
    _pickle_by_fields(_cls)

#: Part of every key: bump when Report, Variable or Breakdown change shape (or are pickled
#: differently).
FORMAT = 3


@dataclass(frozen=True, slots=True)
class PageResults:
    """What the results page shows, and when it was computed."""

    report: Report
    breakdowns: tuple[bd.Breakdown, ...]
    variables: Mapping[str, Variable]
    computed_at: datetime
    #: True when read back from the shared cache, False when computed by this request.
    shared: bool
    #: True when these are the latest figures of the view but responses changed since.
    stale: bool = False
    #: How many responses match the view now (counted once per request, also the job's total).
    responses: int | None = None
    #: The numbers of the tables as text, per interface locale (`results.formats.prepare`).
    numbers: Mapping[str, dict[formats.Key, str]] = dataclasses.field(default_factory=dict)

    def formatter(self, locale: str) -> formats.Numbers:
        """The page's numbers in `locale` (formatted with the figures when it was prepared)."""
        return formats.Numbers(locale, self.numbers.get(locale))


@dataclass(frozen=True, slots=True)
class Pending:
    """A view with no figures yet, too large to compute in the request."""

    #: How many responses match the view now (the refresh job's total).
    responses: int


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def keys(
    session: Session, survey: Survey, options: service.ResultOptions
) -> tuple[str, str, str, int]:
    """(key, fingerprint digest, scope, number of matching responses) of these options on the
    responses as they are now; the scope is the key without the responses' fingerprint."""
    layout = exports.load_layout(session, survey)
    versions = tuple(sorted((n, s.source, s.version) for n, s in layout.versions.items()))
    found = service._fingerprint(session, survey, options.filters)
    fingerprint = _digest(found)
    view = (
        FORMAT,
        survey.id,
        versions,
        options.filters.describe(),
        options.breakdown,
        options.weighted,
    )
    return _digest((*view, fingerprint)), fingerprint, _digest(view), int(found[0])


@overload
def page_results(
    session: Session,
    survey: Survey,
    options: service.ResultOptions,
    secret: bytes,
    background_over: None = None,
) -> PageResults: ...


@overload
def page_results(
    session: Session,
    survey: Survey,
    options: service.ResultOptions,
    secret: bytes,
    background_over: int,
) -> PageResults | Pending: ...


def page_results(
    session: Session,
    survey: Survey,
    options: service.ResultOptions,
    secret: bytes,
    background_over: int | None = None,
) -> PageResults | Pending:
    """Every table for these options: from the shared cache, or computed and stored there.

    With `background_over`, a view of more matching responses than that is not computed in
    the request: its latest figures are returned marked `stale` (`Pending` when it has none),
    and the caller starts a refresh job. Either says how many responses match the view now
    (one aggregate query per call: the key's fingerprint)."""
    survey_id = survey.id
    key, fingerprint, scope, count = keys(session, survey, options)
    row = session.scalar(select(ResultsCache).where(ResultsCache.key == key))
    if row is not None:
        found = _unpack(row, secret)
        if found is not None:
            return replace(found, responses=count)
    if background_over is not None and count > background_over:
        for row in session.scalars(
            select(ResultsCache)
            .where(ResultsCache.scope == scope)
            .order_by(ResultsCache.computed_at.desc())
            .limit(2)
        ):
            found = _unpack(row, secret)
            if found is not None:
                return replace(found, stale=True, responses=count)
        return Pending(count)
    loaded, report = service.compute(session, survey, options)
    now = utcnow()
    numbers = formats.prepare(report, SUPPORTED_LOCALES)
    payload = pickle.dumps((report, loaded.breakdowns, dict(loaded.variables), numbers), protocol=5)
    _store(session, survey_id, key, fingerprint, scope, now, payload, _sign(secret, payload))
    return PageResults(
        report, loaded.breakdowns, loaded.variables, now, False, responses=count, numbers=numbers
    )


def _unpack(row: ResultsCache, secret: bytes) -> PageResults | None:
    if not hmac.compare_digest(row.signature, _sign(secret, row.payload)):
        log.warning("event=results_cache_bad_signature survey_id=%s", row.survey_id)
        return None
    try:
        # nosec B301: the payload is HMAC-signed with the secret key, checked just above
        report, breakdowns, variables, numbers = pickle.loads(row.payload)  # noqa: S301 # nosec B301
    except Exception:  # a row written by another release: recomputed
        log.warning("event=results_cache_unreadable survey_id=%s", row.survey_id)
        return None
    return PageResults(report, breakdowns, variables, row.computed_at, True, numbers=numbers)


def _store(
    session: Session,
    survey_id: int,
    key: str,
    fingerprint: str,
    scope: str,
    now: datetime,
    payload: bytes,
    signature: str,
) -> None:
    """Replace the view's older figures with these, and the survey's rows of an older state
    of the responses that belong to no view (a lost race or a failure is harmless: the figures
    are shown anyway and the next request computes them again). The latest figures of other
    views are kept: they are shown, with their time stamp, while they are refreshed."""
    try:
        begin_write(session)
        session.execute(
            delete(ResultsCache).where(
                ResultsCache.survey_id == survey_id,
                (ResultsCache.key == key)
                | (ResultsCache.scope == scope)
                | ((ResultsCache.fingerprint != fingerprint) & ResultsCache.scope.is_(None)),
            )
        )
        session.add(
            ResultsCache(
                survey_id=survey_id,
                key=key,
                fingerprint=fingerprint,
                scope=scope,
                computed_at=now,
                signature=signature,
                payload=payload,
            )
        )
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("event=results_cache_not_stored survey_id=%s error=%s", survey_id, exc)
