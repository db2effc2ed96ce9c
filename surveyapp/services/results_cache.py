"""The results page's tables, shared by every worker and host through the database.

The first request for a survey, set of options and state of the responses computes the tables
and stores them (`ResultsCache`); any later request, on any worker or host, reads them back
with their time stamp instead of reading every response again. The key holds the responses'
fingerprint (count, last id, last update), so a new, changed or deleted response is never
hidden behind old figures: the next request computes afresh and replaces the survey's
older rows. Payloads are pickled and signed with the app's secret key; an unsigned, altered
or unreadable row (another release's classes) is recomputed, never trusted.
"""

from __future__ import annotations

import copyreg
import hashlib
import hmac
import logging
import pickle
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from surveyapp.models import ResultsCache, Survey, utcnow
from surveyapp.results import breakdowns as bd
from surveyapp.results.report import Report
from surveyapp.results.variables import Variable
from surveyapp.services import exports
from surveyapp.services import results as service
from surveyapp.services.auth import begin_write

log = logging.getLogger(__name__)


def read_only(items: dict[str, Any]) -> types.MappingProxyType[str, Any]:
    """A read-only mapping again (how pickled labels and titles are rebuilt)."""
    return types.MappingProxyType(items)


# Read-only mappings (labels, titles) inside the tables pickle as a dict wrapped again.
copyreg.pickle(types.MappingProxyType, lambda m: (read_only, (dict(m),)))

#: Part of every key: bump when Report, Variable or Breakdown change shape.
FORMAT = 1


@dataclass(frozen=True, slots=True)
class PageResults:
    """What the results page shows, and when it was computed."""

    report: Report
    breakdowns: tuple[bd.Breakdown, ...]
    variables: Mapping[str, Variable]
    computed_at: datetime
    #: True when read back from the shared cache, False when computed by this request.
    shared: bool


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def keys(session: Session, survey: Survey, options: service.ResultOptions) -> tuple[str, str]:
    """(key, fingerprint digest) of these options on the responses as they are now."""
    layout = exports.load_layout(session, survey)
    versions = tuple(sorted((n, s.source, s.version) for n, s in layout.versions.items()))
    fingerprint = _digest(service._fingerprint(session, survey, options.filters))
    key = _digest(
        (
            FORMAT,
            survey.id,
            versions,
            options.filters.describe(),
            options.breakdown,
            options.weighted,
            fingerprint,
        )
    )
    return key, fingerprint


def page_results(
    session: Session, survey: Survey, options: service.ResultOptions, secret: bytes
) -> PageResults:
    """Every table for these options: from the shared cache, or computed and stored there."""
    survey_id = survey.id
    key, fingerprint = keys(session, survey, options)
    row = session.scalar(select(ResultsCache).where(ResultsCache.key == key))
    if row is not None:
        found = _unpack(row, secret)
        if found is not None:
            return found
    loaded, report = service.compute(session, survey, options)
    now = utcnow()
    payload = pickle.dumps((report, loaded.breakdowns, dict(loaded.variables)), protocol=5)
    _store(session, survey_id, key, fingerprint, now, payload, _sign(secret, payload))
    return PageResults(report, loaded.breakdowns, loaded.variables, now, shared=False)


def _unpack(row: ResultsCache, secret: bytes) -> PageResults | None:
    if not hmac.compare_digest(row.signature, _sign(secret, row.payload)):
        log.warning("event=results_cache_bad_signature survey_id=%s", row.survey_id)
        return None
    try:
        # nosec B301: the payload is HMAC-signed with the secret key, checked just above
        report, breakdowns, variables = pickle.loads(row.payload)  # noqa: S301 # nosec B301
    except Exception:  # a row written by another release: recomputed
        log.warning("event=results_cache_unreadable survey_id=%s", row.survey_id)
        return None
    return PageResults(report, breakdowns, variables, row.computed_at, shared=True)


def _store(
    session: Session,
    survey_id: int,
    key: str,
    fingerprint: str,
    now: datetime,
    payload: bytes,
    signature: str,
) -> None:
    """Replace the survey's older figures with these (a lost race or a failure is harmless:
    the figures are shown anyway and the next request computes them again)."""
    try:
        begin_write(session)
        session.execute(
            delete(ResultsCache).where(
                ResultsCache.survey_id == survey_id,
                (ResultsCache.fingerprint != fingerprint) | (ResultsCache.key == key),
            )
        )
        session.add(
            ResultsCache(
                survey_id=survey_id,
                key=key,
                fingerprint=fingerprint,
                computed_at=now,
                signature=signature,
                payload=payload,
            )
        )
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("event=results_cache_not_stored survey_id=%s error=%s", survey_id, exc)
