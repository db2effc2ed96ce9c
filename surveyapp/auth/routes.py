"""Login, logout and interface language of the admin area (mounted under /admin)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from surveyapp.auth import bp, devices
from surveyapp.auth.access import (
    end_session,
    load_user,
    now,
    roles_required,
    safe_next,
    start_session,
)
from surveyapp.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from surveyapp.auth.ratelimit import (
    login_device_limit,
    login_email_key,
    login_global_limit,
    login_limit,
    login_route_key,
)
from surveyapp.extensions import db, limiter
from surveyapp.i18n import SUPPORTED_LOCALES
from surveyapp.services import auth as auth_service
from surveyapp.services import passwords


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    login_limit, key_func=login_email_key, methods=["POST"], exempt_when=devices.is_trusted
)
@limiter.limit(
    login_global_limit, key_func=login_route_key, methods=["POST"], exempt_when=devices.is_trusted
)
@limiter.limit(
    login_device_limit,
    key_func=devices.device_key,
    methods=["POST"],
    exempt_when=devices.is_untrusted,
)
def login():
    """The login form; a success opens a new server-side session and a new cookie.

    It also renews the browser's device cookie, which exempts this browser from the limits an
    attacker can exhaust for this account (see `surveyapp.auth.devices`).
    """
    form = LoginForm()
    if request.method == "GET":
        if load_user() is not None:
            return redirect(url_for("admin.index"))
        form.next.data = safe_next(request.args.get("next"))
    status = 200
    if form.validate_on_submit():
        login_ = auth_service.log_in(db.session, form.email.data, form.password.data, now())
        if login_ is not None:
            previous = end_session()  # a login over another one: that one ends for good
            if previous:
                auth_service.log_out(db.session, previous, now())
            start_session(login_.session_id)
            response = redirect(safe_next(form.next.data) or url_for("admin.index"), 303)
            return devices.remember(response, login_.user.email)
        flash(_("Wrong e-mail address or password."), "error")
    elif request.method == "POST":
        status = 422
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End the session server-side: every copy of the cookie stops working. The login page
    that follows stays in the language the account used."""
    user = load_user()
    lang = user.language if user is not None and user.language in SUPPORTED_LOCALES else None
    raw = end_session()
    auth_service.log_out(db.session, raw, now())
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login", lang=lang), 303)


@bp.post("/language")
@roles_required("admin", "study", "analyst")
def language():
    """Switch the admin pages to the chosen language (kept on the account)."""
    form = LanguageForm()
    user = load_user()
    if form.validate_on_submit():
        auth_service.set_language(db.session, user.id, form.language.data)
    return redirect(safe_next(form.next.data) or url_for("admin.index"), 303)


#: Refusals of the password service: the field they are shown under, and the message.
PASSWORD_ERRORS = {
    "wrong_current": ("current", lambda: _("The current password is wrong.")),
    "unchanged": ("password", lambda: _("The new password must differ from the current one.")),
    "policy": ("password", lambda: _("The new password must have 10 to 1,024 characters.")),
}


def _password_page(form: PasswordChangeForm, status: int):
    user = load_user()
    forced = user is not None and user.must_change_password
    return render_template("admin/password.html", form=form, forced=forced), status


@bp.route("/password", methods=["GET", "POST"])
@roles_required("admin", "study", "analyst")
def password():
    """Change one's own password: the current one is required; other sessions are closed."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _password_page(form, 422 if request.method == "POST" else 200)
    try:
        raw = passwords.change_password(
            db.session, load_user().id, form.current.data, form.password.data, now()
        )
    except passwords.PasswordError as exc:
        name, message = PASSWORD_ERRORS.get(exc.reason, PASSWORD_ERRORS["wrong_current"])
        form[name].errors.append(message())
        return _password_page(form, 422)
    start_session(raw)  # the session is re-issued: the old id was revoked with the others
    flash(_("Password changed. Your other sessions have been closed."), "info")
    return redirect(url_for("admin.index"), 303)
