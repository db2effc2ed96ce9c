"""The respondent's side: survey list, questionnaire pages, endings, resume and withdrawal."""

from typing import Any

from flask import Blueprint, current_app

bp = Blueprint("respondent", __name__)

from surveyapp.respondent import challenge, errors, invitations, routes  # noqa: E402,F401

bp.add_app_template_global(challenge.issue, "start_challenge")


def field_macros() -> Any:
    """The macros of respondent/_fields.html: the template's module, which Jinja makes once and
    keeps. A `{% from … import %}` in page.html compared the render context's globals with the
    module's at every page (1.3 % of a page cycle, sampled) to find none new."""
    return current_app.jinja_env.get_template("respondent/_fields.html").module


bp.add_app_template_global(field_macros, "respondent_fields")
