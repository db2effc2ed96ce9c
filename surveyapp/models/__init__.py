"""Typed SQLAlchemy models; import them from here."""

from surveyapp.models.account import ROLES, ApiToken, User, UserSession
from surveyapp.models.audit import AuditEvent
from surveyapp.models.base import Base, table_of, utcnow
from surveyapp.models.invitation import (
    EmailSuppression,
    InvitationContact,
    InvitationTemplate,
    InvitationWave,
)
from surveyapp.models.job import JOB_STATES, Job
from surveyapp.models.quota import QuotaCell, QuotaClaim
from surveyapp.models.response import RESPONSE_STATUSES, Contact, Response
from surveyapp.models.results_cache import ResultsCache, ResultsColumns
from surveyapp.models.survey import SURVEY_STATES, Survey, SurveyVersion

__all__ = [
    "table_of",
    "JOB_STATES",
    "ROLES",
    "RESPONSE_STATUSES",
    "SURVEY_STATES",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Contact",
    "EmailSuppression",
    "InvitationContact",
    "InvitationTemplate",
    "InvitationWave",
    "Job",
    "QuotaCell",
    "QuotaClaim",
    "Response",
    "ResultsCache",
    "ResultsColumns",
    "Survey",
    "SurveyVersion",
    "User",
    "UserSession",
    "utcnow",
]
