"""Forms of the admin pages. Every POST form carries a CSRF token (FlaskForm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from surveyapp.admin.date_parts import DatePartsField, DateTimePartsField
from surveyapp.auth.forms import LANGUAGE_CHOICES

ROLE_CHOICES = [
    SelectChoice("analyst", _l("Analyst (dashboards, exports)")),
    SelectChoice("study", _l("Study team (fieldwork, responses)")),
    SelectChoice("admin", _l("Administrator (users, tokens, everything)")),
]
STATUS_CHOICES = [
    SelectChoice("", _l("Any status")),
    SelectChoice("in_progress", _l("In progress")),
    SelectChoice("complete", _l("Complete")),
    SelectChoice("screened_out", _l("Screened out")),
    SelectChoice("quota_full", _l("Quota full")),
]
TEST_CHOICES = [
    SelectChoice("", _l("Real and test responses")),
    SelectChoice("real", _l("Real responses only")),
    SelectChoice("test", _l("Test responses only")),
]
SCOPE_CHOICES = [
    SelectChoice("export", _l("Export responses")),
    SelectChoice("quotas", _l("Read quotas and progress")),
]
STATE_CHOICES = [
    SelectChoice("open", _l("Open")),
    SelectChoice("closed", _l("Closed")),
    SelectChoice("draft", _l("Draft")),
]


class EmptyForm(FlaskForm):
    """A button-only form: the CSRF token is its only field."""

    submit = SubmitField(_l("Confirm"))


class UploadSchemaForm(FlaskForm):
    """A questionnaire schema file (YAML)."""

    schema = FileField(
        _l("Schema file (YAML)"),
        validators=[FileRequired(), FileAllowed(["yaml", "yml"], _l("Choose a .yaml file."))],
        render_kw={"accept": ".yaml,.yml"},
    )
    submit = SubmitField(_l("Check and load"))


class StateForm(FlaskForm):
    """Open or close fieldwork."""

    state = SelectField(_l("Fieldwork"), choices=STATE_CHOICES)
    #: Open although texts still hold placeholders (the second step of the confirmation).
    confirmed = BooleanField()
    submit = SubmitField(_l("Change"))


ACCESS_CHOICES = [
    SelectChoice("open", _l("Open link: anyone with the survey’s address")),
    SelectChoice("invitation", _l("Invitation only: the open link is refused")),
]


class AccessForm(FlaskForm):
    """Who may start a response."""

    access = SelectField(_l("Access"), choices=ACCESS_CHOICES)
    submit = SubmitField(_l("Save access"))


class WindowForm(FlaskForm):
    """Opening and closing dates of fieldwork (in the admin time zone)."""

    opens_at = DateTimePartsField(_l("Opens at"), validators=[Optional()])
    closes_at = DateTimePartsField(_l("Closes at"), validators=[Optional()])
    submit = SubmitField(_l("Save dates"))

    def validate_closes_at(self, field) -> None:
        """The window must not end before it starts."""
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing date must come after the opening date."))


class RetentionForm(FlaskForm):
    """How long responses are kept."""

    retention_days = IntegerField(
        _l("Keep responses for (days)"),
        validators=[Optional(), NumberRange(min=1, max=36500)],
        description=_l("Leave empty to keep responses until they are deleted by hand."),
    )
    submit = SubmitField(_l("Save retention"))


class ResponseFilterForm(FlaskForm):
    """Filters of the response list (a GET form: no CSRF, nothing changes)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validators=[Optional()])
    language = SelectField(
        _l("Language"), choices=[], validators=[Optional()], validate_choice=False
    )
    source = SelectField(
        _l("Recruitment source"), choices=[], validators=[Optional()], validate_choice=False
    )
    started_from = DatePartsField(_l("Started from"), validators=[Optional()])
    started_to = DatePartsField(_l("Started until"), validators=[Optional()])
    test = SelectField(_l("Test mode"), choices=TEST_CHOICES, validators=[Optional()])
    submit = SubmitField(_l("Filter"))


class UserForm(FlaskForm):
    """A new account of the study team."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    language = SelectField(_l("Interface language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(min=10, max=1024)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 10 characters. Give it to the person by a separate channel."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create the account"))


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a group of checkboxes (a legend, one labelled box per choice):
    a multi-select list box cuts long choices on a phone and needs Ctrl-click on a desktop.
    Posts the same values as a `<select multiple>`."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(FlaskForm):
    """A new API token."""

    email = SelectField(_l("Owner"), choices=[], validate_choice=True)
    scopes = CheckboxesField(_l("Allowed uses"), choices=SCOPE_CHOICES, validators=[DataRequired()])
    surveys = CheckboxesField(
        _l("Surveys"),
        choices=[],
        validators=[Optional()],
        description=_l("None selected: every survey."),
    )
    days = IntegerField(
        _l("Expires after (days)"),
        default=30,
        validators=[DataRequired(), NumberRange(min=1, max=90)],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Create the token"))
