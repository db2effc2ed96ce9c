"""Download routes (mounted under /admin): responses as CSV or SPSS, the codebook, contacts.

Responses and codebook: an analyst, study or admin session, or `Authorization: Bearer <token>`
with the "export" scope for the survey (`require_access`). The contact list: a study or admin
session only. Every download is an attachment with a dated file name, never cached, and
audit-logged by the service; CSV rows stream from a server-side cursor as they are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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


def _to_job(kind: str, threshold: str, options: exports.ExportOptions):
    """A browser session asking for a large export is sent to the job page, where the file is
    prepared in the background (API tokens still get the stream, or start a job themselves);
    `threshold` names the config key of the row count above which that happens."""
    if "Authorization" in request.headers:
        return None
    limit = current_app.config[threshold]
    rows = exports.count_export(db.session, g.access_survey, options)
    if rows <= limit:
        return None
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in JOB_OPTION_KEYS and v}
    target = url_for("jobs.index", slug=g.access_survey.slug, kind=kind, rows=rows, **args)
    return redirect(target, 303)


@dataclass(frozen=True, slots=True)
class Download:
    """One kind of download: its URL, who may ask, what the service produces, how it is sent."""

    endpoint: str
    rule: str
    #: The `surveyapp.services.exports` function producing the body from
    #: (session, survey, options, actor): chunks to stream, or the whole body.
    produce: str
    content_type: str
    #: The file name's stem and extension (`export_filename` adds the survey and the date).
    stem: str
    ext: str
    #: None: the "export" scope (session role or API token, `require_access`); else the
    #: session roles allowed (`roles_required`).
    roles: tuple[str, ...] | None = None
    streamed: bool = True
    #: (job kind, config key of its row threshold) when a large request becomes a job.
    job: tuple[str, str] | None = None


DOWNLOADS = (
    Download(
        "export_csv",
        "/surveys/<slug>/export.csv",
        "csv_chunks",
        CSV_TYPE,
        "responses",
        "csv",
        job=("csv", "EXPORT_JOB_ROWS"),
    ),
    Download(
        "export_sav",
        "/surveys/<slug>/export.sav",
        "sav_chunks",
        "application/x-spss-sav",
        "responses",
        "sav",
        job=("sav", "SAV_JOB_ROWS"),
    ),
    Download(
        "codebook_csv",
        "/surveys/<slug>/codebook.csv",
        "codebook_csv",
        CSV_TYPE,
        "codebook",
        "csv",
        streamed=False,
    ),
    Download(
        "codebook_json",
        "/surveys/<slug>/codebook.json",
        "codebook_json",
        "application/json",
        "codebook",
        "json",
        streamed=False,
    ),
    # The contact list (e-mails kept apart from the responses): study team and admins only.
    Download(
        "contacts_csv",
        "/surveys/<slug>/contacts.csv",
        "contacts_chunks",
        CSV_TYPE,
        "contacts",
        "csv",
        roles=("study", "admin"),
    ),
)


def _contacts_target(slug: str):
    """The survey, options (preset only) and actor of a session-only download."""
    survey = get_survey(db.session, slug)
    if survey is None:
        abort(404)
    preset = request.args.get("preset") or DEFAULT_PRESET
    if preset not in PRESETS:
        raise exports.ExportError(f"preset must be one of {', '.join(PRESETS)}")
    return survey, exports.ExportOptions(preset=preset), user_actor(current_user())


def _handle(download: Download, slug: str):
    """Check the request's options, send a large one to a job, else produce the download."""
    try:
        if download.roles is None:
            survey, options, actor = g.access_survey, _options(), g.access_actor
        else:
            survey, options, actor = _contacts_target(slug)
    except exports.ExportError as exc:
        return _bad_request(exc)
    if download.job is not None and (to_job := _to_job(*download.job, options)) is not None:
        return to_job
    body = getattr(exports, download.produce)(db.session, survey, options, actor)
    name = exports.export_filename(survey, download.stem, download.ext)
    return _download(_stream(body) if download.streamed else body, download.content_type, name)


def _view(download: Download) -> Callable[..., Any]:
    def view(slug: str):
        return _handle(download, slug)

    view.__name__ = download.endpoint
    view.__doc__ = f"{download.stem} as .{download.ext} ({download.produce})"
    if download.roles is None:
        return require_access("export")(view)
    return roles_required(*download.roles)(view)


for _d in DOWNLOADS:
    bp.add_url_rule(_d.rule, _d.endpoint, _view(_d), methods=["GET"])
