"""Accounts of the study team (admins only): list, create, disable, reset a password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from surveyapp.admin import bp
from surveyapp.admin.forms import EmptyForm, UserForm
from surveyapp.auth.access import current_user, now, roles_required, signed_in_user
from surveyapp.extensions import db
from surveyapp.services import accounts, passwords
from surveyapp.services import auth as auth_service


@bp.get("/users")
@roles_required("admin")
def users():
    """Every account with its role and state."""
    return render_template(
        "admin/users.html",
        users=accounts.list_users(db.session),
        form=UserForm(),
        action_form=EmptyForm(),
    )


@bp.post("/users")
@roles_required("admin")
def user_create():
    """Create an account with the password the admin chose."""
    form = UserForm()
    if not form.validate_on_submit():
        return render_template(
            "admin/users.html",
            users=accounts.list_users(db.session),
            form=form,
            action_form=EmptyForm(),
        ), 422
    actor = auth_service.user_actor(current_user())
    try:
        created = accounts.create_user(
            db.session, form.email.data, form.role.data, form.password.data, actor
        )
    except accounts.AccountError:
        form.email.errors.append(_("This address is not valid or already has an account."))
        return render_template(
            "admin/users.html",
            users=accounts.list_users(db.session),
            form=form,
            action_form=EmptyForm(),
        ), 422
    if form.language.data != created.user.language:
        auth_service.set_language(db.session, created.user.id, form.language.data)
    flash(_("Account %(email)s created.", email=created.user.email), "info")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/disable")
@roles_required("admin")
def user_disable(user_id: int):
    """Disable an account: its sessions and tokens stop working at once."""
    if EmptyForm().validate_on_submit():
        try:
            user = auth_service.disable_account(db.session, user_id, signed_in_user(), now())
        except accounts.AccountError:
            flash(
                _("This account cannot be disabled (your own, the last admin, or unknown)."),
                "error",
            )
        else:
            flash(_("Account %(email)s disabled.", email=user.email), "info")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/reset-password")
@roles_required("admin")
def user_reset_password(user_id: int):
    """Set a temporary password, shown this once; the account must change it at next login."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("admin.users"), 303)
    try:
        reset = passwords.reset_account(db.session, user_id, signed_in_user(), now())
    except passwords.PasswordError:
        flash(_("This password cannot be reset here (your own account, or unknown)."), "error")
        return redirect(url_for("admin.users"), 303)
    # Not a redirect: the password exists only in this response (Cache-Control: no-store).
    return render_template("admin/password_reset.html", user=reset.user, password=reset.password)
