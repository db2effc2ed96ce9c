"""Forms of the invitations page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

KIND_CHOICES = [
    SelectChoice("invitation", _l("Invitations (contacts not yet mailed)")),
    SelectChoice("reminder", _l("Reminders (mailed, not finished)")),
]


class ContactsForm(FlaskForm):
    """A CSV contact list."""

    contacts = FileField(
        _l("Contact list (CSV)"),
        description=_l(
            "Columns: email, language (fr, en…), and any parameter the questionnaire "
            "declares. Comma or semicolon separated, UTF-8."
        ),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Choose a .csv file."))],
        render_kw={"accept": ".csv,.txt"},
    )


class TemplateForm(FlaskForm):
    """One mail text in one language."""

    kind = HiddenField(validators=[AnyOf(("invitation", "reminder"))])
    language = HiddenField(validators=[DataRequired(), Length(max=8)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(
        _l("Text"),
        description=_l(
            "Must contain {{ link }}; may contain {{ unsubscribe_link }} and the contact’s "
            "declared attributes, e.g. {{ source }}."
        ),
        validators=[DataRequired(), Length(max=20_000)],
        render_kw={"rows": 10},
    )
    html = TextAreaField(_l("HTML version (optional)"), validators=[Optional(), Length(max=50_000)])


class SendForm(FlaskForm):
    """Start a sending wave."""

    kind = SelectField(_l("Mails to send"), choices=KIND_CHOICES)


class TestMailForm(FlaskForm):
    """Send the previewed mail to oneself."""

    kind = HiddenField(validators=[AnyOf(("invitation", "reminder"))])
    language = HiddenField(validators=[DataRequired(), Length(max=8)])
