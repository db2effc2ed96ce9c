"""API tokens (admins only): list, create (the secret is shown once), revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from surveyapp.admin import bp
from surveyapp.admin.formatting import role_label, survey_title
from surveyapp.admin.forms import EmptyForm, TokenForm
from surveyapp.auth.access import current_user, now, roles_required
from surveyapp.extensions import db
from surveyapp.services import accounts, surveys
from surveyapp.services import auth as auth_service
from surveyapp.services import tokens as token_service


def _token_form() -> TokenForm:
    form = TokenForm()
    form.email.choices = [
        SelectChoice(u.email, f"{u.email} ({role_label(u.role)})")
        for u in accounts.list_users(db.session)
        if u.is_active
    ]
    # a token names surveys by slug (the API's URLs do), first so a long title cannot hide it;
    # the title says which survey it is
    form.surveys.choices = [
        SelectChoice(s.slug, f"{s.slug} — {survey_title(s, s.current_version)}")
        for s in surveys.list_surveys(db.session)
    ]
    return form


def _page(form: TokenForm, status: int = 200):
    rows = token_service.list_tokens(db.session)
    return render_template(
        "admin/tokens.html", tokens=rows, form=form, now=now(), action_form=EmptyForm()
    ), status


@bp.get("/tokens")
@roles_required("admin")
def tokens():
    """Every token: owner, scopes, surveys, expiry, last use, state."""
    return _page(_token_form())


@bp.post("/tokens")
@roles_required("admin")
def token_create():
    """Create a token and show its secret this once (the page is not cached)."""
    form = _token_form()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        created = token_service.create_token(
            db.session,
            form.email.data,
            form.scopes.data,
            form.surveys.data or None,
            form.days.data,
            auth_service.user_actor(current_user()),
            now(),
            note=form.note.data or None,
        )
    except token_service.TokenError:
        form.email.errors.append(_("The token could not be created for this account."))
        return _page(form, 422)
    # Not a redirect: the secret exists only in this response (Cache-Control: no-store).
    return render_template("admin/token_created.html", token=created.token, secret=created.secret)


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required("admin")
def token_revoke(token_id: int):
    """Revoke a token: it fails from the next request on."""
    if EmptyForm().validate_on_submit():
        try:
            token_service.revoke_token(
                db.session, token_id, auth_service.user_actor(current_user()), now()
            )
        except token_service.TokenError:
            flash(_("No such token."), "error")
        else:
            flash(_("Token revoked."), "info")
    return redirect(url_for("admin.tokens"), 303)
