"""Quota monitoring (every role reads) and the study team's controls: target, close, reopen."""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, render_template, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, InputRequired, NumberRange

from surveyapp.admin import bp
from surveyapp.admin.surveys import ALL_ROLES, FIELDWORK_ROLES, survey_or_404
from surveyapp.auth.access import current_user, now, require_access, roles_required, signed_in_user
from surveyapp.extensions import db
from surveyapp.models import Survey
from surveyapp.services import quota_report, quotas
from surveyapp.services.auth import user_actor

#: Seconds between two refreshes of the page by static/admin-quotas.js.
REFRESH_SECONDS = 10


class TargetForm(FlaskForm):
    """A cell's new target."""

    target = IntegerField(
        _l("New target"),
        validators=[
            InputRequired(message=_l("Enter a target.")),
            NumberRange(min=0, max=1_000_000, message=_l("Enter a whole number from 0.")),
        ],
    )


class CellStateForm(FlaskForm):
    """Close or reopen a cell."""

    action = HiddenField(validators=[InputRequired(), AnyOf(("close", "reopen"))])


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def _report(survey: Survey) -> quota_report.QuotaReport:
    return quota_report.quota_report(db.session, survey, _lang(), get_timezone(), now())


def _page(survey: Survey, status: int = 200, errors: dict[str, list[str]] | None = None):
    return render_template(
        "admin/quotas.html",
        survey=survey,
        report=_report(survey),
        can_edit=signed_in_user().role in FIELDWORK_ROLES,
        errors=errors or {},
        refresh_seconds=REFRESH_SECONDS,
    ), status


@bp.get("/surveys/<slug>/quotas")
@roles_required(*ALL_ROLES)
def quotas_page(slug: str):
    """Every quota cell: completes, target, fill, respondents in progress, projected fill."""
    return _page(survey_or_404(slug))


@bp.get("/surveys/<slug>/quotas.json")
@require_access("quotas")
def quotas_json(slug: str):
    """The quota page's figures as JSON (session, or a token with the `quotas` scope)."""
    survey = g.access_survey
    response = jsonify(
        survey=survey.slug, state=survey.state, **quota_report.as_json(_report(survey))
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/surveys/<slug>/quotas/<cell_id>/target")
@roles_required(*FIELDWORK_ROLES)
def quota_target(slug: str, cell_id: str):
    """Change a cell's target; lowering it below the count stops new completes there."""
    survey = survey_or_404(slug)
    form = TargetForm()
    if not form.validate_on_submit():
        return _page(survey, 422, {cell_id: list(form.target.errors or [_("Try again.")])})
    try:
        quotas.set_target(
            db.session, survey.id, cell_id, form.target.data, user_actor(current_user())
        )
    except quotas.QuotaError:
        abort(404)
    name = quota_report.cell_name(survey, cell_id, _lang())
    flash(_("Target of %(cell)s saved.", cell=name), "info")
    return redirect(url_for("admin.quotas_page", slug=slug, _anchor=f"cell-{cell_id}"), 303)


@bp.post("/surveys/<slug>/quotas/<cell_id>/state")
@roles_required(*FIELDWORK_ROLES)
def quota_state(slug: str, cell_id: str):
    """Close a cell (no more completes whatever its count) or reopen it."""
    survey = survey_or_404(slug)
    form = CellStateForm()
    if not form.validate_on_submit():
        return _page(survey, 422, {cell_id: [_("Choose close or reopen.")]})
    closed = form.action.data == "close"
    try:
        actor = user_actor(current_user())
        quotas.set_closed(db.session, survey.id, cell_id, closed, actor)
    except quotas.QuotaError:
        abort(404)
    name = quota_report.cell_name(survey, cell_id, _lang())
    message = _("Cell %(cell)s closed.", cell=name) if closed else None
    flash(message or _("Cell %(cell)s reopened.", cell=name), "info")
    return redirect(url_for("admin.quotas_page", slug=slug, _anchor=f"cell-{cell_id}"), 303)
