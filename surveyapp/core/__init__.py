"""Operational endpoints: health check."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from surveyapp.core import routes  # noqa: E402,F401
