"""Turning service outcomes into HTTP: templates, 303 redirects and the token cookie."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import (
    current_app,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import refresh

from surveyapp.extensions import db
from surveyapp.i18n import SUPPORTED_LOCALES, percent_text
from surveyapp.respondent import starts
from surveyapp.respondent.display import build_fields, other_languages
from surveyapp.services import responses
from surveyapp.services.responses import (
    ClosedScreen,
    EndingScreen,
    LaterScreen,
    PageScreen,
    Redirect,
    StartRefused,
)

TEMPLATES = {
    ClosedScreen: "respondent/closed.html",
    EndingScreen: "respondent/ending.html",
    LaterScreen: "respondent/later.html",
}


#: Flash category of the notices carried over a redirect to the next page shown.
NOTICE = "respondent-notice"


def use_language(lang: str) -> None:
    """Render this request in `lang`: the page's language; the interface's too when it has a
    catalog, else English (i18n.select_locale reads g.locale first)."""
    g.locale = lang
    g.content_lang = lang
    refresh()  # forget a locale Flask-Babel may have cached earlier in the request


def cookie_name(slug: str) -> str:
    """The cookie holding the respondent's token for one survey."""
    return f"sv_{slug}"


def invitation_cookie(slug: str) -> str:
    """The cookie holding the personal link's token of an invited respondent."""
    return f"inv_{slug}"


def home_language() -> str:
    """The home page language: ?lang=, else Accept-Language, else French."""
    lang = request.args.get("lang")
    if lang in SUPPORTED_LOCALES:
        return lang
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "fr"


def visitor(slug: str) -> responses.Visitor:
    """The actor of the respondent services, read from the request."""
    lang = request.args.get("lang")
    secret = current_app.config["SECRET_KEY"]
    test_token = request.args.get("test")
    test = responses.verify_test_token(secret, slug, test_token)
    return responses.Visitor(
        token=responses.normalise_code(request.cookies.get(cookie_name(slug))),
        lang=lang if lang in SUPPORTED_LOCALES else None,
        lang_switch=request.args.get("switch") == "1",
        accept=tuple(value for value, _quality in request.accept_languages)[:10],
        secret=secret.encode("utf-8"),
        test=test,
        test_token=test_token if test else None,
        invitation=responses.normalise_code(request.cookies.get(invitation_cookie(slug))),
        start_check=starts.start_check(),
    )


def switch_links(lang: str, languages, query=None) -> list[tuple[str, str, str]]:
    """(code, name, href) of the other languages; GET links that only change the display."""
    links = []
    for code, name in other_languages(lang, languages):
        args = {**(query or {}), "lang": code, "switch": "1"}
        links.append((code, name, "?" + urlencode(args)))
    return links


def respond(slug: str, outcome):
    """The HTTP response for a service outcome."""
    if isinstance(outcome, Redirect):
        return _redirect(slug, outcome)
    use_language(outcome.lang)
    notices = get_flashed_messages(category_filter=[NOTICE])
    switch = switch_links(outcome.lang, outcome.survey.languages)
    if isinstance(outcome, StartRefused):
        html = render_template("respondent/too_many_starts.html", survey=outcome.survey)
        return html, 429, {"Retry-After": str(starts.retry_after())}
    if isinstance(outcome, PageScreen):
        if outcome.new:
            switch = switch_links(outcome.lang, outcome.survey.languages, outcome.query)
        return _page(slug, outcome, switch, notices)
    return render_template(
        TEMPLATES[type(outcome)], screen=outcome, survey=outcome.survey, switch=switch
    )


def _page(slug: str, screen: PageScreen, switch, notices=()):
    fields, summary = build_fields(screen)
    query: Mapping[str, Any] = screen.query  # url_for: values are Any, not its flags
    action = url_for(".submit", slug=slug, page_id=screen.view.id, **query)
    percent = round(screen.progress * 100)
    html = render_template(
        "respondent/page.html",
        screen=screen,
        survey=screen.survey,
        fields=fields,
        summary=summary,
        action=action,
        switch=switch,
        percent=percent,
        percent_text=percent_text(percent),
        moved="moved" in notices,
    )
    return html, screen.status


def _redirect(slug: str, outcome: Redirect):
    if outcome.target == "external" and outcome.url:
        url = outcome.url
    elif outcome.target == "page" and outcome.page_id:
        query: Mapping[str, Any] = outcome.query  # url_for: values are Any, not its flags
        url = url_for(".page", slug=slug, page_id=outcome.page_id, **query)
    elif outcome.target == "end":
        url = url_for(".ending", slug=slug)
    elif outcome.target == "later":
        url = url_for(".later", slug=slug)
    else:
        start: Mapping[str, Any] = outcome.query
        url = url_for(".enter", slug=slug, **start)
    response = redirect(url, 303)
    if outcome.notice:
        flash(outcome.notice, NOTICE)
    if outcome.set_token:
        response.set_cookie(
            cookie_name(slug),
            outcome.set_token,
            path=url_for(".enter", slug=slug),
            max_age=current_app.config["RESPONDENT_COOKIE_DAYS"] * 86400,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    elif outcome.clear_token:
        response.delete_cookie(cookie_name(slug), path=url_for(".enter", slug=slug))
    return response


def code_page(slug: str, template: str, form, notice: str | None = None):
    """A code form page; 422 when a posted code was refused, 400 after a CSRF failure."""
    info = responses.survey_info(db.session, slug, visitor(slug))
    use_language(info.lang)
    switch = switch_links(info.lang, info.languages)
    status = 400 if notice else 422 if request.method == "POST" else 200
    html = render_template(template, survey=info, form=form, notice=notice, switch=switch)
    return html, status
