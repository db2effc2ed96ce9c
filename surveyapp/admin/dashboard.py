"""Fieldwork dashboard of a survey (every role): days, stop pages, timing, language, source."""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_babel import get_timezone

from surveyapp.admin import bp, charts
from surveyapp.admin.formatting import get_locale_language
from surveyapp.admin.surveys import ALL_ROLES, survey_or_404
from surveyapp.auth.access import now, roles_required
from surveyapp.engine import SchemaError
from surveyapp.extensions import db
from surveyapp.models import Survey
from surveyapp.services import alerts, dashboard, surveys
from surveyapp.services.invitations import participation


def page_order(survey: Survey) -> list[str]:
    """Page ids of the survey's current version, in questionnaire order."""
    if survey.current_version is None:
        return []
    try:
        schema = surveys.compiled(survey.current_version)
    except SchemaError:  # a stored version the current engine rejects: pages in name order
        return []
    return [page.id for page in schema.pages]


def fieldwork_today(survey: Survey, tz) -> date | None:
    """Today in `tz` while fieldwork is open (the chart runs up to it), else None."""
    return now().astimezone(tz).date() if survey.state == "open" else None


def display_names(survey: Survey, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """Pages (`3 · Votre région ?`) and recruitment sources (`Panel`) by id, in `lang`."""
    if survey.current_version is None:
        return {}, {}
    try:
        schema = surveys.compiled(survey.current_version)
    except SchemaError:
        return {}, {}

    def text(value) -> str:
        return (value.get(lang) or next(iter(value.values()), "")) if value else ""

    pages = {}
    for page in schema.pages:
        first = text(page.questions[0].text) if page.questions else ""
        if len(first) > 70:
            first = first[:69].rstrip() + "…"
        pages[page.id] = f"{page.index + 1} · {first}" if first else str(page.index + 1)
    sources = {}
    for parameter in schema.parameters:
        if parameter.id == "source":
            sources = {o.code: text(o.label) or o.code for o in parameter.options}
    return pages, sources


@bp.get("/surveys/<slug>/dashboard")
@roles_required(*ALL_ROLES)
def survey_dashboard(slug: str):
    """Starts and outcomes per day (SVG), where respondents stopped, median time, splits, and
    the invitation funnel when the survey was sent to a contact list."""
    survey = survey_or_404(slug)
    tz = get_timezone()
    board = dashboard.fieldwork(
        db.session, survey, tz, page_order(survey), today=fieldwork_today(survey, tz)
    )
    pages, sources = display_names(survey, get_locale_language())
    return render_template(
        "admin/dashboard.html",
        survey=survey,
        board=board,
        chart=charts.build(board.days),
        alerts=alerts.completion_alerts(db.session, survey),
        invitations=participation.funnel_totals(db.session, survey.id),
        page_names=pages,
        source_names=sources,
    )
