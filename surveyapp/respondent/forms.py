"""Flask-WTF forms of the respondent pages.

A questionnaire page is no WTForms form: its answer inputs are drawn from the engine's PageView
and validated by the engine, which owns the rules (codes, ranges, required, exclusive,
routing); WTForms fields would only duplicate them and could not name matrix rows
`<id>.<row>`. Its CSRF token is `csrf_token()` in a hidden input, checked with every POST by
CSRFProtect (a form object built at every page only to print that input cost 4 % of the page
cycle). The code forms are plain WTForms.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length


class CodeForm(FlaskForm):
    """A continue-later or withdrawal code."""

    code = StringField(
        _l("Your code"),
        validators=[InputRequired(message=_l("Please enter your code.")), Length(max=200)],
    )
