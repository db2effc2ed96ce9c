"""Preview of a survey's pages in each language, and test-mode starts (study team, admins).

The preview renders a page from the engine with no answers: no response row, no respondent
cookie. A test start issues a signed one-hour link to the questionnaire; the response it creates
is marked `is_test` (kept out of quotas, dashboards and exports) and runs in any survey state.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _

from surveyapp.admin import bp
from surveyapp.admin.forms import EmptyForm
from surveyapp.admin.surveys import FIELDWORK_ROLES, survey_or_404
from surveyapp.auth.access import roles_required
from surveyapp.engine import flow
from surveyapp.languages import autonym
from surveyapp.respondent.display import build_fields
from surveyapp.respondent.outcomes import use_language
from surveyapp.services import responses, surveys
from surveyapp.typography import typeset


def preview_screen(schema, slug: str, page_id: str, lang: str) -> responses.PageScreen:
    """A page as a respondent without answers would see it (read-only: nothing is stored)."""
    view = flow.render_page(schema, page_id, {}, "", lang)
    title = typeset(schema.shown_title(page_id)[lang], lang)  # as the respondent sees it
    info = responses.SurveyInfo(slug, title, schema.languages, lang)
    pages = [page.id for page in schema.pages]
    return responses.PageScreen(
        survey=info,
        view=view,
        lang=lang,
        progress=flow.progress(schema, page_id, {}),
        new=page_id == pages[0],  # "Start" on the first page only
        last=page_id == pages[-1],  # "Finish" on the last
        can_go_back=page_id != pages[0],
    )


def _page_url(slug: str, page_id: str, lang: str) -> str:
    return url_for(".preview", slug=slug, page=page_id, lang=lang)


@bp.get("/surveys/<slug>/preview")
@roles_required(*FIELDWORK_ROLES)
def preview(slug: str):
    """One page of the current version (`?page=`, `?lang=fr|en`), its form disabled."""
    survey = survey_or_404(slug)
    if survey.current_version is None:
        abort(404)
    schema = surveys.compiled(survey.current_version)
    page_ids = [page.id for page in schema.pages]
    page_id = request.args.get("page") or page_ids[0]
    lang = request.args.get("lang")
    lang = lang if lang in schema.languages else schema.default_language
    if page_id not in page_ids:
        abort(404)
    screen = preview_screen(schema, slug, page_id, lang)
    use_language(lang)
    switch = [
        (code, autonym(code), _page_url(slug, page_id, code))
        for code in schema.languages
        if code != lang
    ]
    fields, summary = build_fields(screen)
    percent = round(screen.progress * 100)
    return render_template(
        "respondent/page.html",
        screen=screen,
        survey=screen.survey,
        fields=fields,
        summary=summary,
        action=url_for(".preview", slug=slug, page=page_id, lang=lang),
        switch=switch,
        percent=percent,
        percent_text=format_percent(percent / 100),
        preview=True,
        preview_pages=page_ids,
        preview_page=page_id,
        preview_slug=slug,
    )


@bp.post("/surveys/<slug>/test")
@roles_required(*FIELDWORK_ROLES)
def test_start(slug: str):
    """Start a test response (any survey state): 303 to the questionnaire with a signed link."""
    survey = survey_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if survey.current_version is None:
        flash(_("Load a schema before testing this survey."), "error")
        return redirect(url_for(".survey", slug=slug), 303)
    token = responses.issue_test_token(current_app.config["SECRET_KEY"], slug)
    return redirect(url_for("respondent.enter", slug=slug, test=token), 303)
