"""Results of a survey: the filtered responses read once (cached), tables and files (the open
answers are in `services.results_open`).

The responses are read exactly as the exports read them: the export layout and codebook
columns (`services.exports.load_layout`), the same filters and server-side stream
(`exports.query.ExportFilters`, `stream_records`). Test responses are never included. The
columns read are cached per process, keyed by the survey's versions, the filters and a
fingerprint of the matching responses (count, last id, last update), so a page, its charts and
its downloads share one read, and a new or deleted response is seen at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from surveyapp.caching import LRUCache
from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.exports.query import ExportFilters, conditions
from surveyapp.exports.rows import Record
from surveyapp.languages import interface_names
from surveyapp.models import Response, Survey
from surveyapp.results import breakdowns as bd
from surveyapp.results import charts, files
from surveyapp.results.data import Dataset
from surveyapp.results.report import Report, build_report
from surveyapp.results.sheet import tr
from surveyapp.results.variables import Variable, catalog, question_titles
from surveyapp.services import exports, results_columns
from surveyapp.services.exports import Progress

FILTER_KEYS = ("status", "from", "to", "language", "source")
CACHE_SIZE = 2


class ResultsError(ValueError):
    """A request that cannot be served as asked (bad parameter value, unknown question)."""


@dataclass(frozen=True, slots=True)
class ResultOptions:
    """What to show: filters (tests always excluded), breakdown, weighting, label language."""

    filters: ExportFilters
    breakdown: str | None = None
    weighted: bool = False
    lang: str = "fr"

    def query(self) -> dict[str, str]:
        """The options as query parameters (for links that keep them)."""
        f = self.filters
        out = {
            "by": self.breakdown or "",
            "weighted": "1" if self.weighted else "",
            "status": ",".join(f.statuses) if f.statuses != ("complete",) else "",
            "from": f.since.date().isoformat() if f.since else "",
            "to": _day_before(f.until) if f.until else "",
            "language": f.language or "",
            "source": f.source or "",
            "lang": self.lang,
        }
        return {k: v for k, v in out.items() if v}


def _day_before(moment: datetime) -> str:
    from datetime import timedelta

    return (moment - timedelta(days=1)).date().isoformat()


def parse_options(args: Mapping[str, str], languages: tuple[str, ...], lang: str) -> ResultOptions:
    """Options from query parameters or CLI flags: by, weighted, lang and the export filters
    (status, from, to, language, source); ResultsError names the bad one."""
    try:
        parsed = exports.parse_options({k: args[k] for k in FILTER_KEYS if args.get(k)}, languages)
    except exports.ExportError as exc:
        raise ResultsError(str(exc)) from exc
    filters = replace(parsed.filters, tests="exclude")
    chosen = args.get("lang") or lang
    if chosen not in languages:
        raise ResultsError(f"lang must be one of {', '.join(languages)}")
    weighted = (args.get("weighted") or "") in ("1", "true", "yes", "on")
    return ResultOptions(filters, args.get("by") or None, weighted, chosen)


# ----------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class Loaded:
    """A survey's variables, breakdowns and filtered responses as columns."""

    survey_id: int
    slug: str
    schema: CompiledSurvey
    variables: Mapping[str, Variable]
    breakdowns: tuple[bd.Breakdown, ...]
    data: Dataset
    filters: ExportFilters


#: (count, last id, last update) of the matching responses.
Fingerprint = tuple[int, int | None, str]
#: (survey id, versions, filters, fingerprint) -> the read.
CacheKey = tuple[int, results_columns.Versions, str, Fingerprint]

_cache: LRUCache[CacheKey, Loaded] = LRUCache(CACHE_SIZE)


def fingerprint_select(survey_id: int, filters: ExportFilters) -> Select[int, int, datetime]:
    """(count, last id, last update) of the responses matching `filters`: one index-only scan
    of ix_responses_results_fingerprint for the results' statuses (migration 0011)."""
    return select(func.count(), func.max(Response.id), func.max(Response.updated_at)).where(
        and_(*conditions(survey_id, filters))
    )


def _fingerprint(session: Session, survey: Survey, filters: ExportFilters) -> Fingerprint:
    count, last, updated = session.execute(fingerprint_select(survey.id, filters)).one()
    return (count, last, str(updated))


def load(
    session: Session, survey: Survey, filters: ExportFilters, progress: Progress | None = None
) -> Loaded:
    """The survey's responses matching `filters`, read once and cached (`progress` is told
    how many responses each batch read holds)."""
    layout = exports.load_layout(session, survey)
    versions = tuple(sorted((n, s.source, s.version) for n, s in layout.versions.items()))
    key: CacheKey = (
        survey.id,
        versions,
        repr(filters.describe()),
        _fingerprint(session, survey, filters),
    )
    found = _cache.get(key)
    if found is not None:
        return found
    schemas = [layout.versions[n] for n in sorted(layout.versions)]
    variables = catalog(layout.columns, question_titles(schemas))
    _relabel_language(variables)
    read = results_columns.read_columns(
        session,
        survey.id,
        versions,
        filters,
        variables,
        layout.versions,
        (lambda batches: _counted(batches, progress)) if progress is not None else None,
    )
    data = read.data
    schema = layout.current
    loaded = Loaded(
        survey.id,
        survey.slug,
        schema,
        variables,
        tuple(bd.available(schema, variables)),
        data,
        filters,
    )
    _cache.put(key, loaded)
    return loaded


def _counted(batches: Iterable[Iterable[Record]], progress: Progress) -> Iterator[Iterator[Record]]:
    """The same batches; `progress` hears each batch's size once it has been read."""

    def counting(batch: Iterable[Record]) -> Iterator[Record]:
        n = 0
        for item in batch:
            n += 1
            yield item
        progress(n)

    try:
        for batch in batches:
            yield counting(batch)
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()


def _relabel_language(variables: dict[str, Variable]) -> None:
    v = variables.get("language")
    if v is not None and v.kind == "language":
        labels = {code: interface_names(code) for code in v.codes}
        variables["language"] = replace(v, labels=labels)


def clear_cache() -> None:
    """Forget every cached read (tests)."""
    _cache.clear()


def compute(
    session: Session,
    survey: Survey,
    options: ResultOptions,
    only: str | None = None,
    progress: Progress | None = None,
) -> tuple[Loaded, Report]:
    """The tables of a survey (or of one question) for these options."""
    loaded = load(session, survey, options.filters, progress)
    breakdown = bd.find(loaded.breakdowns, options.breakdown)
    if options.breakdown and breakdown is None:
        raise ResultsError(f"unknown breakdown {options.breakdown!r}")
    if only is not None and only not in loaded.variables:
        raise ResultsError(f"unknown question {only!r}")
    report = build_report(
        loaded.data, loaded.variables, loaded.schema, breakdown, options.weighted, only
    )
    return loaded, report


# ----------------------------------------------------------------------------- files
def context_lines(loaded: Loaded, report: Report, options: ResultOptions) -> list[str]:
    """What a file was computed on, in words (in the current locale)."""
    f = options.filters
    lines = [
        _("Survey: %(slug)s — %(n)s responses", slug=loaded.slug, n=report.respondents),
        _("Status: %(status)s; test responses excluded", status=", ".join(f.statuses)),
    ]
    if f.since or f.until:
        lines.append(
            _(
                "Completed from %(start)s to %(end)s (UTC)",
                start=f.since.date().isoformat() if f.since else "…",
                end=_day_before(f.until) if f.until else "…",
            )
        )
    if f.language:
        lines.append(_("Language of the pages: %(lang)s", lang=f.language))
    if f.source:
        lines.append(_("Recruitment source: %(source)s", source=f.source))
    if report.breakdown is not None:
        lines.append(_("Breakdown: %(title)s", title=tr(report.breakdown.title, options.lang)))
    lines.append(_("Weighted") if report.weights is not None else _("Unweighted"))
    lines.append(_("Generated %(when)s UTC", when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M")))
    return lines


def table_csv(session: Session, survey: Survey, options: ResultOptions, key: str) -> bytes:
    """One table as CSV, labels in `options.lang`."""
    loaded, report = compute(session, survey, options, only=key)
    table = report.table(key)
    if table is None:
        raise ResultsError(f"{key!r} has no table")
    with force_locale(options.lang):
        return files.table_csv(report, table, options.lang, context_lines(loaded, report, options))


def workbook(
    session: Session,
    survey: Survey,
    options: ResultOptions,
    only: str | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Every table (or one) as an XLSX workbook, labels in `options.lang`."""
    loaded, report = compute(session, survey, options, only=only, progress=progress)
    if only is not None and report.table(only) is None:
        raise ResultsError(f"{only!r} has no table")
    with force_locale(options.lang):
        return files.workbook(report, options.lang, context_lines(loaded, report, options), only)


def chart(session: Session, survey: Survey, options: ResultOptions, key: str, fmt: str) -> bytes:
    """The chart of one table as SVG or PNG."""
    if fmt not in charts.FORMATS:
        raise ResultsError("format must be svg or png")
    _loaded, report = compute(session, survey, options, only=key)
    table = report.table(key)
    if table is None:
        raise ResultsError(f"{key!r} has no chart")
    with force_locale(options.lang):
        return charts.render(table, report, options.lang, fmt)


def file_name(survey: Survey, what: str, extension: str) -> str:
    """`<slug>_<what>_<YYYY-MM-DD>.<extension>`."""
    return f"{survey.slug}_{what}_{datetime.now(UTC):%Y-%m-%d}.{extension}"
