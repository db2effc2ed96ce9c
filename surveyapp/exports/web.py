"""Download routes (mounted under /admin): responses as CSV or SPSS, the codebook, contacts.

Responses and codebook: an analyst, study or admin session, or `Authorization: Bearer <token>`
with the "export" scope for the survey (`require_access`). The contact list: a study or admin
session only. Every download is an attachment with a dated file name, never cached, and
audit-logged by the service; CSV rows stream from a server-side cursor as they are read.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, g, jsonify, request, stream_with_context
from flask_babel import gettext as _

from surveyapp.auth import require_access, roles_required
from surveyapp.auth.access import current_user
from surveyapp.extensions import db
from surveyapp.services import exports
from surveyapp.services.auth import user_actor
from surveyapp.services.surveys import get_survey

bp = Blueprint("exports", __name__)

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


def _stream(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Keep the app context (and its database session) while the body streams."""
    return stream_with_context(chunks)


@bp.get("/surveys/<slug>/export.csv")
@require_access("export")
def export_csv(slug: str):
    """The responses as CSV (query: preset, labels, status, from, to, language, source, test)."""
    try:
        options = _options()
    except exports.ExportError as exc:
        return _bad_request(exc)
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
    preset = request.args.get("preset") or exports.DEFAULT_PRESET
    if preset not in exports.PRESETS:
        return _bad_request(
            exports.ExportError(f"preset must be one of {', '.join(exports.PRESETS)}")
        )
    options = exports.ExportOptions(preset=preset)
    actor = user_actor(current_user())
    chunks = exports.contacts_chunks(db.session, survey, options, actor)
    name = exports.export_filename(survey, "contacts", "csv")
    return _download(_stream(chunks), CSV_TYPE, name)
