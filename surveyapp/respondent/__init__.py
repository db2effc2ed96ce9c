"""The respondent's side: survey list, questionnaire pages, endings, resume and withdrawal."""

from flask import Blueprint

bp = Blueprint("respondent", __name__)

from surveyapp.respondent import challenge, errors, invitations, routes  # noqa: E402,F401

bp.add_app_template_global(challenge.issue, "start_challenge")
