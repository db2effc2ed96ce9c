"""Failures on respondent pages that must not lose what the respondent typed.

An expired CSRF token (or a lost session cookie) gets the page back with the posted values and
a polite message (400); a database outage on a POST gets a page that re-posts the same values
with one button (503 + Retry-After); an unknown survey is a 404.
"""

from __future__ import annotations

import logging

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import NotFound

from surveyapp.errors import log_database_unavailable
from surveyapp.extensions import db
from surveyapp.i18n import SUPPORTED_LOCALES
from surveyapp.respondent import bp
from surveyapp.respondent.forms import CodeForm
from surveyapp.respondent.outcomes import code_page, respond, use_language, visitor
from surveyapp.services import responses

log = logging.getLogger("surveyapp.respondent")
CODE_PAGES = {
    "respondent.resume": "respondent/resume.html",
    "respondent.withdraw": "respondent/withdraw.html",
}


@bp.errorhandler(responses.SurveyNotFound)
def _survey_not_found(_exc):
    return current_app.handle_http_exception(NotFound())


@bp.errorhandler(responses.InvitationRequired)
def _invitation_required(exc: responses.InvitationRequired):
    """An invitation-only survey's open link: a polite "not found" in the visitor's language."""
    use_language(exc.info.lang)
    return render_template("respondent/invitation_only.html", survey=exc.info), 404


@bp.errorhandler(CSRFError)
def _csrf_failed(exc: CSRFError):
    """The page again, answers kept, with an explanation; never a bare 400."""
    log.info("event=csrf_failed endpoint=%s reason=%s", request.endpoint, exc.description)
    slug = (request.view_args or {}).get("slug")
    try:
        if request.endpoint == "respondent.submit" and slug:
            return _page_again(slug)
        if request.endpoint in CODE_PAGES and slug:
            form = CodeForm(meta={"csrf": False})
            return code_page(slug, CODE_PAGES[request.endpoint], form, notice="csrf")
    except responses.InvitationRequired as refused:
        return _invitation_required(refused)
    except responses.SurveyNotFound:
        return current_app.handle_http_exception(NotFound())
    except OperationalError as db_down:
        return _database_unavailable(db_down)
    return current_app.handle_http_exception(exc)


def _page_again(slug: str):
    typed = {key: request.form.getlist(key) for key in request.form}
    page_id = (request.view_args or {})["page_id"]
    outcome = responses.show_page(
        db.session,
        slug,
        page_id,
        visitor(slug),
        request.args,
        typed=typed,
        notice="csrf",
        status=400,
    )
    if isinstance(outcome, responses.PageScreen):
        return respond(slug, outcome)
    info = responses.survey_info(db.session, slug, visitor(slug))
    use_language(info.lang)
    return render_template("respondent/expired.html", survey=info), 400


@bp.errorhandler(OperationalError)
def _database_unavailable(exc: OperationalError):
    """503 with a form that sends the same answers again: nothing typed is lost."""
    log_database_unavailable(exc)
    lang = request.form.get("_lang") or request.args.get("lang")
    if lang in SUPPORTED_LOCALES:
        use_language(lang)
    headers = {"Retry-After": "5"}
    if request.method != "POST":
        return render_template("error.html", code=503, title=_title()), 503, headers
    fields = [
        (key, value)
        for key in request.form
        if key != "_action"
        for value in request.form.getlist(key)
    ]
    query = request.query_string.decode("utf-8", "replace")
    action = request.path + (f"?{query}" if query else "")
    return (
        render_template(
            "respondent/retry.html",
            fields=fields,
            action=action,
            button=request.form.get("_action", "next"),
        ),
        503,
        headers,
    )


def _title() -> str:
    from flask_babel import gettext as _

    return _("Service temporarily unavailable")
