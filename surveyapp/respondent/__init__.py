"""The respondent's side: survey list, questionnaire pages, endings, resume and withdrawal."""

from flask import Blueprint

bp = Blueprint("respondent", __name__)

from surveyapp.respondent import errors, invitations, routes  # noqa: E402,F401
