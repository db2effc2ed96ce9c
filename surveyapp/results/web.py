"""Results pages and downloads (mounted under /admin): study team, analysts and admins.

Every option is in the query string (breakdown, weighting, label language, filters), so a
results page is a plain GET that can be bookmarked and shared with the team; downloads keep
the same options. Test responses are never included.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from surveyapp.admin.date_filter import redirect_to_iso
from surveyapp.auth.access import (
    current_user,
    guard_blueprint,
    private_page_headers,
    roles_required,
)
from surveyapp.extensions import db
from surveyapp.i18n import TYPESET_BLUEPRINTS
from surveyapp.lazy import LazyModule
from surveyapp.models import Survey
from surveyapp.results import formats
from surveyapp.results.conditions import base_statement
from surveyapp.services.auth import user_actor
from surveyapp.services.surveys import compiled, get_survey
from surveyapp.typography import typeset

#: NumPy, SciPy, statsmodels and Matplotlib load on the first results request, not when a
#: worker or the CLI starts (they cost seconds and about 150 MB per process).
charts = LazyModule("surveyapp.results.charts")
sheet = LazyModule("surveyapp.results.sheet")
if TYPE_CHECKING:
    from surveyapp.services.results import ResultOptions

service = LazyModule("surveyapp.services.results")
shared = LazyModule("surveyapp.services.results_cache")
open_service = LazyModule("surveyapp.services.results_open")

bp = Blueprint("results", __name__)
#: French interface strings of these pages get French typography (no mark starts a line).
TYPESET_BLUEPRINTS.add(bp.name)
bp.before_request(guard_blueprint)
bp.after_request(private_page_headers)

ROLES = ("admin", "study", "analyst")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _survey(slug: str) -> Survey:
    survey = get_survey(db.session, slug)
    if survey is None or survey.current_version is None:
        abort(404)
    return survey


def _options(survey: Survey) -> ResultOptions:
    """The options of the query string (400 when one is invalid)."""
    if survey.current_version is None:
        abort(404)
    languages = compiled(survey.current_version).languages
    locale = get_locale()
    lang = locale.language if locale and locale.language in languages else languages[0]
    try:
        return service.parse_options(request.args, languages, lang)
    except service.ResultsError as exc:
        abort(400, description=str(exc))


def _download(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@lru_cache(maxsize=8192)
def _typeset(text: str, lang: str) -> str:
    return typeset(text, lang)


def _tr(text, lang: str) -> str:
    """A schema text in `lang`, with French typography on a French label (« 5 % », « ? »);
    a page shows the same labels many times, so each is set once per process."""
    return _typeset(sheet.tr(text, lang), lang)


def _ui_locale() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else "fr"


@bp.app_template_filter("results_pct")
def results_pct(value: float | None) -> str:
    """A proportion as a percentage with one decimal in the page's language (Babel; French
    "42,3 %" with U+202F before the sign)."""
    return formats.Numbers(_ui_locale()).pct(value)


@bp.get("/surveys/<slug>/results")
@roles_required(*ROLES)
def index(slug: str):
    """Every closed question's table for the chosen breakdown, weighting and filters."""
    survey = _survey(slug)
    dates = {"from": _("Completed from"), "to": _("Completed until")}
    typed = redirect_to_iso("results.index", dates, slug=slug)  # the form's day/month/year
    if typed is not None:
        return typed
    options = _options(survey)
    secret = str(current_app.secret_key).encode()
    limit = current_app.config.get("RESULTS_JOB_ROWS", 5000)
    try:
        page = shared.page_results(db.session, survey, options, secret, background_over=limit)
    except service.ResultsError as exc:
        abort(400, description=str(exc))
    refresh = None
    if isinstance(page, shared.Pending) or page.stale:
        refresh = _refresh_job(survey, options, page.responses)
    if isinstance(page, shared.Pending):
        return render_template(
            "results/computing.html", survey=survey, options=options, job=refresh
        )
    report = page.report
    numbers = page.formatter(_ui_locale())
    return render_template(
        "results/index.html",
        survey=survey,
        options=options,
        loaded=page,
        computed_at=page.computed_at,
        refresh=refresh,
        report=report,
        num=numbers,
        tr=_tr,
        base_statement=base_statement,
        test_text=lambda test: sheet.test_text(test, numbers.plain),
        weighting=report.weights is not None and _weighting_rows(report, options.lang),
    )


def _refresh_job(survey: Survey, options, responses: int | None):
    """The job refreshing this view's figures: the one queued or running, else a new one
    (its total: the responses the page has just counted, not a second count)."""
    from surveyapp.jobs import queue
    from surveyapp.services import jobs

    params = {k: v for k, v in options.query().items() if k != "lang"}
    job, new = jobs.create_job(
        db.session, survey, "results_page", params, user_actor(current_user()), total=responses
    )
    if new:
        queue.enqueue_new(current_app, job.id)
    return job


def _weighting_rows(report, lang: str):
    from surveyapp.results.files import weighting_lines

    return weighting_lines(report, lang)


@bp.get("/surveys/<slug>/results.xlsx")
@roles_required(*ROLES)
def workbook(slug: str):
    """Every table as an XLSX workbook: a contents sheet, then one sheet per question."""
    survey = _survey(slug)
    options = _options(survey)
    try:
        body = service.workbook(db.session, survey, options)
    except service.ResultsError as exc:
        abort(400, description=str(exc))
    return _download(body, XLSX, service.file_name(survey, "results", "xlsx"))


@bp.get("/surveys/<slug>/results/<question>.csv")
@roles_required(*ROLES)
def table_csv(slug: str, question: str):
    """One question's table as CSV."""
    survey = _survey(slug)
    options = _options(survey)
    try:
        body = service.table_csv(db.session, survey, options, question)
    except service.ResultsError:
        abort(404)
    return _download(body, CSV, service.file_name(survey, question, "csv"))


@bp.get("/surveys/<slug>/results/<question>.xlsx")
@roles_required(*ROLES)
def table_xlsx(slug: str, question: str):
    """One question's table as an XLSX workbook."""
    survey = _survey(slug)
    options = _options(survey)
    try:
        body = service.workbook(db.session, survey, options, only=question)
    except service.ResultsError:
        abort(404)
    return _download(body, XLSX, service.file_name(survey, question, "xlsx"))


@bp.get("/surveys/<slug>/results/<question>.<any(svg, png):fmt>")
@roles_required(*ROLES)
def chart(slug: str, question: str, fmt: str):
    """One question's chart as SVG or PNG (`?download=1` for an attachment)."""
    survey = _survey(slug)
    options = _options(survey)
    try:
        body = service.chart(db.session, survey, options, question, fmt)
    except service.ResultsError:
        abort(404)
    if request.args.get("download"):
        return _download(body, charts.FORMATS[fmt], service.file_name(survey, question, fmt))
    # no-store like every admin response: a chart shows results (after_request would only
    # set it when absent, so nothing else must be set here).
    return Response(body, mimetype=charts.FORMATS[fmt])


@bp.get("/surveys/<slug>/open-answers")
@roles_required(*ROLES)
def open_answers(slug: str):
    """Answers to one free-text question (possibly personal data), filterable, paginated."""
    survey = _survey(slug)
    options = _options(survey)
    args = request.args
    try:
        page = open_service.open_answers(
            db.session,
            survey,
            options,
            args.get("q") or None,
            args.get("group_by") or None,
            args.get("group") or None,
            args.get("page", 1, type=int),
        )
    except service.ResultsError as exc:
        abort(404, description=str(exc))
    return render_template(
        "results/open_answers.html",
        survey=survey,
        options=options,
        page=page,
        tr=_tr,
        typeset=_typeset,
    )


@bp.get("/surveys/<slug>/open-answers.csv")
@roles_required(*ROLES)
def open_answers_csv(slug: str):
    """Every answer to one free-text question as CSV (audit-logged: possibly personal data)."""
    survey = _survey(slug)
    options = _options(survey)
    args = request.args
    try:
        chunks = open_service.open_answers_csv(
            db.session,
            survey,
            options,
            args.get("q") or None,
            user_actor(current_user()),
            args.get("group_by") or None,
            args.get("group") or None,
        )
        first = next(chunks)
    except service.ResultsError:
        abort(404)

    def body():
        yield first
        yield from chunks

    name = service.file_name(survey, "open-answers_personal-data", "csv")
    return _download(stream_with_context(body()), CSV, name)
