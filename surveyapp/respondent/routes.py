"""Respondent views: each reads the request, calls one service, then renders or redirects (303)."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from surveyapp.extensions import db
from surveyapp.i18n import SUPPORTED_LOCALES
from surveyapp.respondent import bp
from surveyapp.respondent.forms import CodeForm
from surveyapp.respondent.outcomes import code_page, home_language, respond, use_language, visitor
from surveyapp.services import responses

#: Translated when the page is rendered, in the page's language.
NO_MATCH = _l("This code does not match any response. Check it and try again.")


@bp.after_request
def _no_store(response):
    """Respondent pages carry answers and codes: never cached (the app-wide referrer policy,
    same-origin, sends no referrer to other sites and keeps Flask-WTF's HTTPS check working)."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index():
    """The open surveys in the visitor's language; straight to it when only one is open."""
    use_language(home_language())
    links = responses.open_surveys(db.session, g.locale)
    if len(links) == 1:
        return redirect(url_for(".enter", slug=links[0].slug, **request.args), 303)
    return render_template("respondent/index.html", links=links)


@bp.get("/s/<slug>/")
def enter(slug: str):
    """Start or resume: to the respondent's current page, or to the consent page."""
    return respond(slug, responses.enter(db.session, slug, visitor(slug), request.args))


@bp.get("/s/<slug>/p/<page_id>")
def page(slug: str, page_id: str):
    """The respondent's current page (any other page redirects there)."""
    return respond(
        slug, responses.show_page(db.session, slug, page_id, visitor(slug), request.args)
    )


@bp.post("/s/<slug>/p/<page_id>")
def submit(slug: str, page_id: str):
    """Next, Back, language switch or Continue later: 303 when done, the page again (422)."""
    outcome = responses.submit_page(
        db.session, slug, page_id, visitor(slug), request.form, request.args
    )
    return respond(slug, outcome)


@bp.get("/s/<slug>/end")
def ending(slug: str):
    """The ending reached: thank-you, screen-out or quota-full, with the withdrawal code."""
    return respond(slug, responses.ending_screen(db.session, slug, visitor(slug)))


@bp.get("/s/<slug>/later")
def later(slug: str):
    """The continue-later link and code."""
    return respond(slug, responses.continue_later(db.session, slug, visitor(slug)))


@bp.route("/s/<slug>/resume", methods=["GET", "POST"])
def resume(slug: str):
    """Continue on this device with a continue-later code (the code then stops working)."""
    form = CodeForm(data={"code": request.args.get("code", "")})
    if form.validate_on_submit():
        outcome = responses.resume(db.session, slug, form.code.data)
        if outcome is not None:
            return respond(slug, outcome)
        form.code.errors = [NO_MATCH]
    return code_page(slug, "respondent/resume.html", form)


@bp.route("/s/<slug>/withdraw", methods=["GET", "POST"])
def withdraw(slug: str):
    """Delete one's answers with the withdrawal code shown at the end."""
    form = CodeForm()
    if form.validate_on_submit():
        if responses.withdraw(db.session, slug, form.code.data):
            lang = request.form.get("_lang")
            args: dict[str, Any] = {"lang": lang} if lang in SUPPORTED_LOCALES else {}
            return redirect(url_for(".withdrawn", slug=slug, **args), 303)
        form.code.errors = [NO_MATCH]
    return code_page(slug, "respondent/withdraw.html", form)


@bp.get("/s/<slug>/withdrawn")
def withdrawn(slug: str):
    """Confirmation that the answers are deleted."""
    info = responses.survey_info(db.session, slug, visitor(slug))
    use_language(info.lang)
    return render_template("respondent/withdrawn.html", survey=info)
