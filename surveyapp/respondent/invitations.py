"""Personal links from invitation mails, and the one-click unsubscribe page (RFC 8058)."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from surveyapp.extensions import csrf, db
from surveyapp.respondent import bp
from surveyapp.respondent.forms import CodeForm
from surveyapp.respondent.outcomes import cookie_name, invitation_cookie, use_language
from surveyapp.services import responses
from surveyapp.services.invitations import links, participation


@bp.get("/s/<slug>/i/<token>")
def personal_link(slug: str, token: str):
    """A personal link: the response it owns (started or not) opens in the contact's language."""
    parsed = links.parse_token(token)
    if not parsed:
        abort(404)
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    opened = participation.open_link(db.session, slug, parsed, secret)
    if opened is None:
        abort(404)
    response = redirect(url_for(".enter", slug=slug, lang=opened.language), 303)
    path = url_for(".enter", slug=slug)
    max_age = current_app.config["RESPONDENT_COOKIE_DAYS"] * 86400
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    for name, value in (
        (cookie_name(slug), opened.response_token),
        (invitation_cookie(slug), parsed),
    ):
        response.set_cookie(
            name, value, path=path, max_age=max_age, httponly=True, samesite="Lax", secure=secure
        )
    return response


@bp.route("/u/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """GET: a page with one button (or the confirmation, once done); POST (the button, or a
    mail client's one-click POST with `List-Unsubscribe=One-Click`): no more mail from any
    survey of this site, then 303 to the confirmation."""
    parsed = links.parse_token(token)
    if not parsed:
        abort(404)
    contact = participation.find_contact(db.session, None, parsed)
    if contact is None:
        abort(404)
    info = responses.survey_info(
        db.session, _slug_of(contact.survey_id), responses.Visitor(lang=contact.language)
    )
    if request.method == "POST":
        participation.unsubscribe(db.session, parsed)
        return redirect(url_for(".unsubscribe", token=token), 303)
    use_language(info.lang)
    if contact.unsubscribed:
        return render_template("respondent/unsubscribed.html", survey=info, switch=None)
    return render_template(
        "respondent/unsubscribe.html", survey=info, switch=None, form=CodeForm(meta={"csrf": False})
    )


def _slug_of(survey_id: int) -> str:
    from surveyapp.models import Survey

    survey = db.session.get(Survey, survey_id)
    assert survey is not None
    return survey.slug
