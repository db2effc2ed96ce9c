"""Flask-WTF forms of the respondent pages.

A questionnaire page is one `PageForm` (CSRF only) whose answer inputs are drawn from the
engine's PageView and validated by the engine: the engine owns the rules (codes, ranges,
required, exclusive, routing), so WTForms fields would only duplicate them and could not name
matrix rows `<id>.<row>`. The code forms are plain WTForms.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length


class PageForm(FlaskForm):
    """A questionnaire page: the CSRF token; the answers are posted by question code."""


class CodeForm(FlaskForm):
    """A continue-later or withdrawal code."""

    code = StringField(
        _l("Your code"),
        validators=[InputRequired(message=_l("Please enter your code.")), Length(max=200)],
    )
