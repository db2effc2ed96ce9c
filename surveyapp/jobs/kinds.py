"""The job types: each knows its options, its amount of work, and how to write its file.

To add a job type, write a function `run(ctx) -> None` that writes `ctx.path` (and calls
`ctx.advance(n)` as it goes) and register a `JobKind` in `KINDS`. Failures a person can act on
raise `JobFailure(code, detail)` with a code of `ERRORS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from surveyapp.models import Survey
from surveyapp.services.audit import Actor
from surveyapp.services.sqlutil import bound_engine

#: Why a job failed, in words (shown on the job page and by the CLI).
ERRORS = {
    "bad_options": _l("The options of this job are not valid: %(detail)s"),
    "worker_lost": _l(
        "The worker running this job stopped twice (restart or crash). Start the job again; "
        "if it keeps failing, ask the administrator to check the worker’s log."
    ),
    "no_version": _l("This survey has no questionnaire version yet."),
    "internal": _l(
        "The job failed because of an internal error (logged for the administrator). "
        "Start it again later."
    ),
}


class JobFailure(Exception):
    """A failure to show in words: `code` is a key of ERRORS, `detail` fills it in."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class RunContext:
    """What a job's `run` gets: the database, the survey, its options and where to write."""

    session: Session
    survey: Survey
    params: Mapping[str, str]
    actor: Actor
    path: Path
    advance: Callable[[int], None]


@dataclass(frozen=True)
class JobKind:
    """One job type."""

    name: str
    #: Shown in lists ("Responses as CSV"…).
    label: Any
    extension: str
    mimetype: str
    #: Amount of work (rows) for the progress bar, or None when unknown.
    total: Callable[[Session, Survey, Mapping[str, str]], int | None]
    run: Callable[[RunContext], None]
    #: The download's file name: `<slug>_<stem>_<date>.<extension>`.
    stem: str
    #: Whether the jobs page (export access) may start it; others start from their own page.
    startable: bool = True


# ----------------------------------------------------------------------------- exports
def _export_options(session: Session, survey: Survey, params: Mapping[str, str]):
    from surveyapp.services import exports

    try:
        layout = exports.load_layout(session, survey)
        return exports.parse_options(params, layout.current.languages)
    except exports.ExportError as exc:
        if "no schema version" in str(exc):
            raise JobFailure("no_version") from exc
        raise JobFailure("bad_options", str(exc)) from exc


def _export_total(session: Session, survey: Survey, params: Mapping[str, str]) -> int | None:
    from surveyapp.services import exports

    return exports.count_export(session, survey, _export_options(session, survey, params))


def _run_csv(ctx: RunContext) -> None:
    from surveyapp.services import exports

    options = _export_options(ctx.session, ctx.survey, ctx.params)
    with ctx.path.open("wb") as out:
        for chunk in exports.csv_chunks(ctx.session, ctx.survey, options, ctx.actor, ctx.advance):
            out.write(chunk)


def _run_sav(ctx: RunContext) -> None:
    from surveyapp.services import exports

    options = _export_options(ctx.session, ctx.survey, ctx.params)
    exports.write_sav(ctx.session, ctx.survey, options, ctx.actor, ctx.path, ctx.advance)


# ----------------------------------------------------------------------------- results
def _results_options(session: Session, survey: Survey, params: Mapping[str, str]):
    from surveyapp.services import results
    from surveyapp.services.surveys import compiled

    if survey.current_version is None:
        raise JobFailure("no_version")
    languages = compiled(survey.current_version).languages
    try:
        return results.parse_options(params, languages, params.get("lang") or languages[0])
    except results.ResultsError as exc:
        raise JobFailure("bad_options", str(exc)) from exc


def _results_total(session: Session, survey: Survey, params: Mapping[str, str]) -> int | None:
    from surveyapp.exports.query import count_responses

    options = _results_options(session, survey, params)
    with bound_engine(session).connect() as conn:
        return count_responses(conn, survey.id, options.filters)


def _run_results(ctx: RunContext) -> None:
    from surveyapp.services import results

    options = _results_options(ctx.session, ctx.survey, ctx.params)
    try:
        body = results.workbook(ctx.session, ctx.survey, options, progress=ctx.advance)
    except results.ResultsError as exc:
        raise JobFailure("bad_options", str(exc)) from exc
    ctx.path.write_bytes(body)


def _run_results_page(ctx: RunContext) -> None:
    """Refresh the results page's figures for these options in the shared cache (reading only
    the responses added since the stored columns' mark); the file is a short JSON summary."""
    import json

    from flask import current_app

    from surveyapp.services import results, results_cache

    options = _results_options(ctx.session, ctx.survey, ctx.params)
    counted = results.load(ctx.session, ctx.survey, options.filters, progress=ctx.advance)
    secret = str(current_app.secret_key).encode()
    try:
        page = results_cache.page_results(ctx.session, ctx.survey, options, secret)
    except results.ResultsError as exc:
        raise JobFailure("bad_options", str(exc)) from exc
    assert page is not None  # nosec B101 - computed in the job, never left to another one
    summary = {"responses": counted.data.n, "computed_at": page.computed_at.isoformat()}
    ctx.path.write_text(json.dumps(summary), encoding="utf-8")


# ----------------------------------------------------------------------------- invitations
def _invitation_kind(params: Mapping[str, str]) -> str:
    kind = params.get("kind", "invitation")
    if kind not in ("invitation", "reminder"):
        raise JobFailure("bad_options", f"kind must be invitation or reminder, not {kind!r}")
    return kind


def _invitations_total(session: Session, survey: Survey, params: Mapping[str, str]) -> int:
    from flask import current_app

    from surveyapp.services.invitations import sending

    settings = sending.settings_from_config(current_app.config)
    return sending.count_eligible(session, survey, _invitation_kind(params), settings)


def _run_invitations(ctx: RunContext) -> None:
    """Send a wave (or finish the one a lost worker left), then write its counts as CSV."""
    from flask import current_app

    from surveyapp.services.invitations import sending

    settings = sending.settings_from_config(current_app.config)
    kind = _invitation_kind(ctx.params)
    wave = sending.unfinished_wave(ctx.session, ctx.survey, kind)
    if wave is None:
        try:
            wave = sending.start_wave(ctx.session, ctx.survey, kind, settings, ctx.actor)
        except sending.SendingError as exc:
            raise JobFailure("bad_options", str(exc)) from exc
    done = 0

    def progress(state: sending.Progress) -> None:
        nonlocal done
        ctx.advance(state.done - done)
        done = state.done

    result = sending.run_wave(ctx.session, wave.id, settings, progress=progress)
    ctx.path.write_text(
        "wave,kind,recipients,sent,refused\r\n"
        f"{wave.id},{kind},{result.total},{result.sent},{result.failed}\r\n",
        encoding="utf-8",
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        JobKind(
            "csv",
            _l("Responses as CSV"),
            "csv",
            "text/csv; charset=utf-8",
            _export_total,
            _run_csv,
            "responses",
        ),
        JobKind(
            "sav",
            _l("Responses as SPSS (.sav)"),
            "sav",
            "application/x-spss-sav",
            _export_total,
            _run_sav,
            "responses",
        ),
        JobKind(
            "results",
            _l("Results tables (XLSX workbook)"),
            "xlsx",
            XLSX,
            _results_total,
            _run_results,
            "results",
        ),
        JobKind(
            "results_page",
            _l("Refresh of the results page"),
            "json",
            "application/json",
            _results_total,
            _run_results_page,
            "results-refresh",
            startable=False,
        ),
        JobKind(
            "invitations",
            _l("Invitations or reminders by e-mail"),
            "csv",
            "text/csv; charset=utf-8",
            _invitations_total,
            _run_invitations,
            "mailing",
            startable=False,
        ),
    )
}
