"""Download routes (mounted under /admin): responses as CSV or SPSS, the codebook, contacts.

Responses and codebook: an analyst, study or admin session, or `Authorization: Bearer <token>`
with the "export" scope for the survey (`require_access`). The contact list: a study or admin
session only. Every download is an attachment with a dated file name, never cached, and
audit-logged by the service; CSV rows stream from a server-side cursor as they are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from surveyapp.auth import require_access, roles_required
from surveyapp.auth.access import current_user, private_page_headers
from surveyapp.exports.cells import DEFAULT_PRESET, PRESETS
from surveyapp.extensions import db
from surveyapp.jobs.web import OPTION_KEYS as JOB_OPTION_KEYS
from surveyapp.services import exports
from surveyapp.services.auth import user_actor
from surveyapp.services.surveys import get_survey

bp = Blueprint("exports", __name__)
bp.after_request(private_page_headers)  # redirects and errors too, like every admin response

CSV_TYPE = "text/csv; charset=utf-8"


def _download(body, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _bad_request(exc: exports.ExportError):
    response = jsonify(error=_("Invalid export request: %(detail)s", detail=str(exc)), status=400)
    response.status_code = 400
    response.headers["Cache-Control"] = "no-store"
    return response


def _options() -> exports.ExportOptions:
    """The query's options; full timestamps only for an admin's session (spec §9.9)."""
    options = exports.parse_options(request.args, tuple(_languages()))
    if options.timestamps:
        user = current_user()
        if user is None or user.role != "admin":
            abort(403, description=_("Only an administrator may export full timestamps."))
    return options


def _languages() -> tuple[str, ...]:
    layout = exports.load_layout(db.session, g.access_survey)
    return layout.current.languages


def _stream(chunks: Iterator[bytes]) -> Iterable[bytes]:
    """Keep the app context (and its database session) while the body streams.

    The first chunk is produced here, in the view: whatever fails before the first byte (the
    layout, the row builders, a whole .sav file) gives an error page with its status code
    instead of a download cut short.
    """
    body = stream_with_context(chunks)
    try:
        first = next(body)
    except StopIteration:
        return []
    return _Body(first, body)


class _Body:
    """The first chunk, then the rest; `close()` (called by the server) closes the rest."""

    def __init__(self, first: bytes, rest: Iterator[bytes]) -> None:
        self.first, self.rest = first, rest

    def __iter__(self) -> Iterator[bytes]:
        yield self.first
        yield from self.rest

    def close(self) -> None:
        """Close the generator: ends the audit entry, returns the database connection."""
        close = getattr(self.rest, "close", None)
        if close is not None:
            close()


def _to_job(kind: str, options: exports.ExportOptions):
    """A browser session asking for a large export is sent to the job page, where the file is
    prepared in the background (API tokens still get the stream, or start a job themselves)."""
    if "Authorization" in request.headers:
        return None
    limit = current_app.config["EXPORT_JOB_ROWS" if kind == "csv" else "SAV_JOB_ROWS"]
    rows = exports.count_export(db.session, g.access_survey, options)
    if rows <= limit:
        return None
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in JOB_OPTION_KEYS and v}
    target = url_for("jobs.index", slug=g.access_survey.slug, kind=kind, rows=rows, **args)
    return redirect(target, 303)


@bp.get("/surveys/<slug>/export.csv")
@require_access("export")
def export_csv(slug: str):
    """The responses as CSV (query: preset, labels, status, from, to, language, source, test)."""
    try:
        options = _options()
    except exports.ExportError as exc:
        return _bad_request(exc)
    if (to_job := _to_job("csv", options)) is not None:
        return to_job
    survey = g.access_survey
    chunks = exports.csv_chunks(db.session, survey, options, g.access_actor)
    name = exports.export_filename(survey, "responses", "csv")
    return _download(_stream(chunks), CSV_TYPE, name)


@bp.get("/surveys/<slug>/export.sav")
@require_access("export")
def export_sav(slug: str):
    """The responses as an SPSS .sav file (query: lang and the CSV filters)."""
    try:
        options = _options()
    except exports.ExportError as exc:
        return _bad_request(exc)
    if (to_job := _to_job("sav", options)) is not None:
        return to_job
    survey = g.access_survey
    chunks = exports.sav_chunks(db.session, survey, options, g.access_actor)
    name = exports.export_filename(survey, "responses", "sav")
    return _download(_stream(chunks), "application/x-spss-sav", name)


@bp.get("/surveys/<slug>/codebook.csv")
@require_access("export")
def codebook_csv(slug: str):
    """The codebook as CSV (query: preset)."""
    try:
        options = _options()
    except exports.ExportError as exc:
        return _bad_request(exc)
    survey = g.access_survey
    body = exports.codebook_csv(db.session, survey, options, g.access_actor)
    return _download(body, CSV_TYPE, exports.export_filename(survey, "codebook", "csv"))


@bp.get("/surveys/<slug>/codebook.json")
@require_access("export")
def codebook_json(slug: str):
    """The codebook as JSON."""
    try:
        options = _options()
    except exports.ExportError as exc:
        return _bad_request(exc)
    survey = g.access_survey
    body = exports.codebook_json(db.session, survey, options, g.access_actor)
    name = exports.export_filename(survey, "codebook", "json")
    return _download(body, "application/json", name)


@bp.get("/surveys/<slug>/contacts.csv")
@roles_required("study", "admin")
def contacts_csv(slug: str):
    """The contact list (e-mails kept apart from the responses): study team and admins only."""
    survey = get_survey(db.session, slug)
    if survey is None:
        abort(404)
    preset = request.args.get("preset") or DEFAULT_PRESET
    if preset not in PRESETS:
        return _bad_request(exports.ExportError(f"preset must be one of {', '.join(PRESETS)}"))
    options = exports.ExportOptions(preset=preset)
    actor = user_actor(current_user())
    chunks = exports.contacts_chunks(db.session, survey, options, actor)
    name = exports.export_filename(survey, "contacts", "csv")
    return _download(_stream(chunks), CSV_TYPE, name)
