"""Surveys: overview, schema upload, fieldwork state and dates, retention, schema download."""

from __future__ import annotations

from datetime import datetime

from babel import Locale
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from surveyapp.admin import bp
from surveyapp.admin.forms import (
    AccessForm,
    RetentionForm,
    StateForm,
    UploadSchemaForm,
    WindowForm,
)
from surveyapp.auth.access import current_user, roles_required, signed_in_user
from surveyapp.domain import Role
from surveyapp.engine import SchemaError
from surveyapp.extensions import db
from surveyapp.models import Survey, utcnow
from surveyapp.services import dashboard, surveys
from surveyapp.services import responses_admin as responses_service
from surveyapp.services.auth import user_actor
from surveyapp.services.exports import LABEL_CHOICES

ALL_ROLES = tuple(role.value for role in Role)
FIELDWORK_ROLES = (Role.ADMIN.value, Role.STUDY.value)


def survey_or_404(slug: str) -> Survey:
    """The survey of the URL, or 404."""
    survey = surveys.get_survey(db.session, slug)
    if survey is None:
        abort(404)
    return survey


def to_utc(value: datetime | None) -> datetime | None:
    """A naive date-time typed in the admin time zone, as an aware UTC date-time."""
    if value is None:
        return None
    return get_timezone().localize(value).astimezone(utcnow().tzinfo)


def to_local(value: datetime | None) -> datetime | None:
    """An aware date-time as a naive one in the admin time zone (for datetime-local inputs)."""
    return value.astimezone(get_timezone()).replace(tzinfo=None) if value else None


@bp.get("/")
@roles_required(*ALL_ROLES)
def index():
    """Every survey with its state, current version and response counts."""
    return render_template("admin/index.html", rows=dashboard.survey_overview(db.session))


@bp.get("/surveys/<slug>")
@roles_required(*ALL_ROLES)
def survey(slug: str):
    """One survey: state, dates, retention and versions, with the study team's forms."""
    survey = survey_or_404(slug)
    return _survey_page(survey)


def _survey_page(survey: Survey, status: int = 200, **forms):
    forms.setdefault("state_form", StateForm(state=survey.state))
    forms.setdefault("access_form", AccessForm(access=survey.access))
    forms.setdefault(
        "window_form",
        WindowForm(opens_at=to_local(survey.opens_at), closes_at=to_local(survey.closes_at)),
    )
    forms.setdefault("retention_form", RetentionForm(retention_days=survey.retention_days))
    versions = dashboard.survey_versions(db.session, survey)
    role = signed_in_user().role
    return render_template(
        "admin/survey.html",
        survey=survey,
        versions=versions,
        can_edit=role in FIELDWORK_ROLES,
        is_admin=role == Role.ADMIN,
        label_languages=_label_languages(survey),
        placeholders=surveys.placeholders(survey) if role in FIELDWORK_ROLES else (),
        **forms,
    ), status


def _label_languages(survey: Survey) -> list[tuple[str, str]]:
    """(code, name in the admin's language, as in running text) of the survey's languages that
    exports can write labels in: "français", "anglais" / "French", "English"."""
    if survey.current_version is None:
        return []
    try:
        languages = surveys.compiled(survey.current_version).languages
    except SchemaError:
        return []
    locale = get_locale()
    return [
        (code, Locale.parse(code).get_display_name(locale) or code)
        for code in languages
        if code in LABEL_CHOICES
    ]


@bp.route("/surveys/upload", methods=["GET", "POST"])
@roles_required(*FIELDWORK_ROLES)
def upload():
    """Check a schema file and load it as a survey's new version; list every problem."""
    form = UploadSchemaForm()
    if request.method == "GET":
        return render_template("admin/upload.html", form=form, problems=None)
    if not form.validate_on_submit():
        return render_template("admin/upload.html", form=form, problems=None), 422
    upload = form.schema.data
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        form.schema.errors.append(_("The file is not UTF-8 text."))
        return render_template("admin/upload.html", form=form, problems=None), 422
    try:
        result = surveys.load_schema_text(
            db.session, text, upload.filename or "upload", user_actor(current_user())
        )
    except SchemaError as exc:
        return render_template("admin/upload.html", form=form, problems=exc.problems), 422
    if result.created_version:
        flash(
            _(
                "Version %(number)s of %(slug)s loaded.",
                number=result.version.number,
                slug=result.survey.slug,
            ),
            "info",
        )
    else:
        flash(
            _(
                "This file is already version %(number)s of %(slug)s: nothing changed.",
                number=result.version.number,
                slug=result.survey.slug,
            ),
            "info",
        )
    return redirect(url_for("admin.survey", slug=result.survey.slug), 303)


@bp.post("/surveys/<slug>/state")
@roles_required(*FIELDWORK_ROLES)
def survey_state(slug: str):
    """Open, close or set back to draft."""
    survey = survey_or_404(slug)
    form = StateForm()
    if not form.validate_on_submit():
        return _survey_page(survey, 422, state_form=form)
    try:
        surveys.set_state(
            db.session,
            survey,
            form.state.data,
            user_actor(current_user()),
            refuse_placeholders=not form.confirmed.data,
        )
    except surveys.PlaceholdersLeft:  # nothing changed: the page asks for confirmation
        return _survey_page(survey, 409, state_form=form, confirm_open=True)
    flash(_("Fieldwork state saved."), "info")
    return redirect(url_for("admin.survey", slug=slug), 303)


@bp.post("/surveys/<slug>/access")
@roles_required(*FIELDWORK_ROLES)
def survey_access(slug: str):
    """Open link, or invitation only."""
    survey = survey_or_404(slug)
    form = AccessForm()
    if not form.validate_on_submit():
        return _survey_page(survey, 422, access_form=form)
    surveys.set_access(db.session, survey, form.access.data, user_actor(current_user()))
    flash(_("Access saved."), "info")
    return redirect(url_for("admin.survey", slug=slug), 303)


@bp.post("/surveys/<slug>/window")
@roles_required(*FIELDWORK_ROLES)
def survey_window(slug: str):
    """Set the opening and closing dates of fieldwork."""
    survey = survey_or_404(slug)
    form = WindowForm()
    if not form.validate_on_submit():
        return _survey_page(survey, 422, window_form=form)
    responses_service.set_window(
        db.session,
        survey,
        to_utc(form.opens_at.data),
        to_utc(form.closes_at.data),
        user_actor(current_user()),
    )
    flash(_("Fieldwork dates saved."), "info")
    return redirect(url_for("admin.survey", slug=slug), 303)


@bp.post("/surveys/<slug>/retention")
@roles_required(*FIELDWORK_ROLES)
def survey_retention(slug: str):
    """Set how many days responses are kept before `surveyapp purge` deletes them."""
    survey = survey_or_404(slug)
    form = RetentionForm()
    if not form.validate_on_submit():
        return _survey_page(survey, 422, retention_form=form)
    responses_service.set_retention(
        db.session, survey, form.retention_days.data, user_actor(current_user())
    )
    flash(_("Retention saved."), "info")
    return redirect(url_for("admin.survey", slug=slug), 303)


@bp.get("/surveys/<slug>/versions/<int:number>/schema.yaml")
@roles_required(*FIELDWORK_ROLES)
def schema_download(slug: str, number: int):
    """The schema file of one version, exactly as loaded."""
    version = dashboard.get_version(db.session, survey_or_404(slug), number)
    if version is None:
        abort(404)
    filename = f"{slug}-v{version.number}.yaml"
    return Response(
        version.source,
        mimetype="application/yaml",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
