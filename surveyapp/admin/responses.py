"""Responses of a survey for the study team: filtered list, one response, erasure."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from wtforms import SelectChoice

from surveyapp.admin import bp
from surveyapp.admin.answers import answer_rows
from surveyapp.admin.dashboard import display_names
from surveyapp.admin.formatting import get_locale_language, language_label
from surveyapp.admin.forms import EmptyForm, ResponseFilterForm
from surveyapp.admin.surveys import FIELDWORK_ROLES, survey_or_404
from surveyapp.auth.access import current_user, roles_required, signed_in_user
from surveyapp.extensions import db
from surveyapp.services import responses_admin as service
from surveyapp.services.auth import user_actor


def _day_start(day) -> datetime | None:
    """Midnight of `day` in the admin time zone, as an aware date-time."""
    return get_timezone().localize(datetime.combine(day, time.min)) if day else None


def _filter_from(form: ResponseFilterForm) -> service.ResponseFilter:
    return service.ResponseFilter(
        status=form.status.data or None,
        language=form.language.data or None,
        source=form.source.data or None,
        started_from=_day_start(form.started_from.data),
        started_before=_day_start(form.started_to.data + timedelta(days=1))
        if form.started_to.data
        else None,
        test=form.test.data or None,
    )


@bp.get("/surveys/<slug>/responses")
@roles_required(*FIELDWORK_ROLES)
def responses(slug: str):
    """Responses newest first, filtered by status, language, source, start date, test mode."""
    survey = survey_or_404(slug)
    form = ResponseFilterForm(request.args)
    choices = service.filter_choices(db.session, survey)
    _pages, sources = display_names(survey, get_locale_language())
    form.language.choices = [SelectChoice("", _("Any language"))] + [
        SelectChoice(c, language_label(c)) for c in choices["languages"]
    ]
    form.source.choices = [SelectChoice("", _("Any source"))] + [
        SelectChoice(c, sources.get(str(c), c)) for c in choices["sources"]
    ]
    valid = form.validate()
    flt = _filter_from(form) if valid else service.ResponseFilter()
    page = service.list_responses(db.session, survey, flt, request.args.get("page", 1, type=int))
    args = {k: v for k, v in request.args.items() if k not in ("page", "submit") and v}
    return render_template(
        "admin/responses.html",
        survey=survey,
        form=form,
        page=page,
        args=args,
        source_names=sources,
    ), 200 if valid else 422


@bp.get("/surveys/<slug>/responses/<int:response_id>")
@roles_required(*FIELDWORK_ROLES)
def response(slug: str, response_id: int):
    """One response in full: answers by question code, labels from its own schema version."""
    survey = survey_or_404(slug)
    item = service.get_response(db.session, survey, response_id)
    if item is None:
        abort(404)
    rows = answer_rows(item, signed_in_user().language)
    pages, sources = display_names(survey, get_locale_language())
    return render_template(
        "admin/response.html",
        survey=survey,
        item=item,
        rows=rows,
        delete_form=EmptyForm(),
        page_names=pages,
        source_names=sources,
    )


@bp.post("/surveys/<slug>/responses/<int:response_id>/delete")
@roles_required(*FIELDWORK_ROLES)
def response_delete(slug: str, response_id: int):
    """Erase a response (GDPR) and release its quota slots, in one transaction."""
    survey = survey_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        service.delete_response(db.session, survey, response_id, user_actor(current_user()))
    except service.ResponseAdminError:
        abort(404)
    flash(_("Response %(id)s deleted.", id=response_id), "info")
    return redirect(url_for("admin.responses", slug=slug), 303)
