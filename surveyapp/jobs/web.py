"""Job pages (mounted under /admin): start a background job, follow it, download its file.

Access is that of the exports (`require_access("export")`: analyst, study or admin session, or
an API token with the "export" scope for the survey) for starting, the JSON and the file; the
HTML pages need one of the same roles. Without JavaScript the job page refreshes itself.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from surveyapp.auth.access import (
    guard_blueprint,
    private_page_headers,
    require_access,
    roles_required,
)
from surveyapp.domain import JobState, Role, TokenScope
from surveyapp.extensions import db
from surveyapp.i18n import TYPESET_BLUEPRINTS
from surveyapp.jobs import queue
from surveyapp.jobs.kinds import KINDS
from surveyapp.models import Job, Survey
from surveyapp.services import jobs
from surveyapp.services.surveys import get_survey

#: Kinds the jobs page starts (a mailing starts from the Invitations page, study team only).
STARTABLE = [name for name, kind in KINDS.items() if kind.startable]
bp = Blueprint("jobs", __name__)
#: French interface strings of these pages get French typography (no mark starts a line).
TYPESET_BLUEPRINTS.add(bp.name)
bp.before_request(guard_blueprint)
bp.after_request(private_page_headers)

ROLES = tuple(role.value for role in Role)
#: Options a job keeps: the export and results query parameters.
OPTION_KEYS = (
    "preset", "labels", "lang", "status", "from", "to", "language", "source", "test", "by",
    "weighted",
)  # fmt: skip


def _survey(slug: str) -> Survey:
    survey = get_survey(db.session, slug)
    if survey is None:
        abort(404)
    return survey


def _job(survey: Survey, job_id: int) -> Job:
    job = jobs.get_job(db.session, survey, job_id)
    if job is None:
        abort(404)
    return job


def status_document(survey: Survey, job: Job) -> dict:
    """A job's state for the JSON and the CLI."""
    done = job.state == JobState.DONE
    percent = 100 if done else (min(99, job.done * 100 // job.total) if job.total else None)
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "attempts": job.attempts,
        "error": job.error,
        "error_message": jobs.error_words(job),
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "file_name": job.file_name if done else None,
        "file_size": job.file_size if done else None,
        "download_url": url_for("jobs.download", slug=survey.slug, job_id=job.id) if done else None,
    }


@bp.get("/surveys/<slug>/jobs")
@roles_required(*ROLES)
def index(slug: str):
    """The survey's jobs, and a form to start one (prefilled from `?kind=` and the options)."""
    survey = _survey(slug)
    kind = request.args.get("kind")
    proposed = KINDS.get(kind) if kind else None
    options = {k: v for k in OPTION_KEYS if (v := request.args.get(k))}
    return render_template(
        "jobs/index.html",
        survey=survey,
        jobs=jobs.survey_jobs(db.session, survey),
        kinds=KINDS,
        proposed=proposed,
        options=options,
        rows=request.args.get("rows", type=int),
    )


@bp.post("/surveys/<slug>/jobs")
@require_access(TokenScope.EXPORT)
def start(slug: str):
    """Start a job (form or API): 303 to its page, or 202 with its JSON for a token."""
    survey = g.access_survey
    kind = request.form.get("kind", "")
    params = {k: v for k in OPTION_KEYS if (v := request.form.get(k))}
    try:
        if kind in KINDS and not KINDS[kind].startable:  # mailings start from their own page
            raise jobs.JobError(f"kind must be one of {', '.join(STARTABLE)}")
        job, new = jobs.create_job(db.session, survey, kind, params, g.access_actor)
    except jobs.JobError as exc:
        message = _("This job cannot be started: %(detail)s", detail=str(exc))
        if "Authorization" in request.headers:
            return jsonify(error=message, status=422), 422
        return render_template(
            "jobs/index.html",
            survey=survey,
            jobs=jobs.survey_jobs(db.session, survey),
            kinds=KINDS,
            proposed=None,
            options=params,
            rows=None,
            error=message,
        ), 422
    if new:
        queue.enqueue_new(current_app, job.id)
    if "Authorization" in request.headers:
        return jsonify(status_document(survey, job)), 202
    return redirect(url_for("jobs.show", slug=survey.slug, job_id=job.id), 303)


@bp.get("/surveys/<slug>/jobs/<int:job_id>")
@roles_required(*ROLES)
def show(slug: str, job_id: int):
    """A job's progress bar (polled by jobs.js; refreshed every 3 s without JavaScript)."""
    survey = _survey(slug)
    job = _job(survey, job_id)
    return render_template(
        "jobs/show.html",
        survey=survey,
        job=job,
        kind=jobs.kind_of(job),
        status=status_document(survey, job),
        error=jobs.error_words(job),
    )


@bp.get("/surveys/<slug>/jobs/<int:job_id>.json")
@require_access(TokenScope.EXPORT)
def status(slug: str, job_id: int):
    """A job's state as JSON (progress, error in words, download address when done)."""
    survey = g.access_survey
    response = jsonify(status_document(survey, _job(survey, job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/surveys/<slug>/jobs/<int:job_id>/file")
@require_access(TokenScope.EXPORT)
def download(slug: str, job_id: int):
    """The finished file of a job (404 until it is done; audit-logged)."""
    survey = g.access_survey
    job = _job(survey, job_id)
    path = jobs.file_path(queue.settings_for(current_app), job)
    if path is None:
        abort(404)
    jobs.record_download(db.session, job, g.access_actor, survey.slug)
    response = send_file(
        path,
        mimetype=jobs.kind_of(job).mimetype,
        as_attachment=True,
        download_name=job.file_name,
        conditional=False,
        etag=False,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
