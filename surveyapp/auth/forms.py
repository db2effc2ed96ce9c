"""Forms of the login, logout and language pages (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from surveyapp.i18n import SUPPORTED_LOCALES
from surveyapp.languages import autonym

#: Each interface language, named in itself.
LANGUAGE_CHOICES = [
    SelectChoice(code, autonym(code), render_kw={"lang": code}) for code in SUPPORTED_LOCALES
]


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class LanguageForm(FlaskForm):
    """The interface language of the admin pages."""

    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()
    submit = SubmitField(_l("Change language"))


class PasswordChangeForm(FlaskForm):
    """One's own new password, with the current one (the same policy as account creation)."""

    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=10, max=1024)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change the password"))
