"""The platform's domain vocabularies as `StrEnum`s, importable by every layer.

This module imports nothing but the standard library, so the engine (no Flask, no
SQLAlchemy), the models and the services share one spelling of each value. Members compare
and hash equal to their strings (`Role.ADMIN == "admin"`), so stored values, JSON and form
data keep their plain text; the models' CHECK constraints are generated from these enums by
`check_in` and a test compares them with the migrated database's constraints.
"""

from __future__ import annotations

from enum import StrEnum


class ResponseStatus(StrEnum):
    """Where a respondent's response stands; every value but IN_PROGRESS is an ending."""

    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    SCREENED_OUT = "screened_out"
    QUOTA_FULL = "quota_full"


class SurveyState(StrEnum):
    """A survey's fieldwork state."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class SurveyAccess(StrEnum):
    """Who may answer: anyone with the public link, or invited contacts only."""

    OPEN = "open"
    INVITATION = "invitation"


class Role(StrEnum):
    """A study-team account's role."""

    ADMIN = "admin"
    STUDY = "study"
    ANALYST = "analyst"


class QuotaKind(StrEnum):
    """A hard quota turns respondents away when full; a soft one only reports."""

    HARD = "hard"
    SOFT = "soft"


class TokenScope(StrEnum):
    """What an API token may read."""

    EXPORT = "export"
    QUOTAS = "quotas"


class JobState(StrEnum):
    """A background job's life cycle."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MailKind(StrEnum):
    """The two invitation mails (waves and templates)."""

    INVITATION = "invitation"
    REMINDER = "reminder"


class ContactProgress(StrEnum):
    """How far an invited contact went: never mailed, mailed, link opened, started, done."""

    PENDING = "pending"
    SENT = "sent"
    OPENED = "opened"
    STARTED = "started"
    COMPLETED = "completed"


class Op(StrEnum):
    """The schema's condition operators (`{q: s1, gte: 18}`): one vocabulary for the engine,
    the XLSForm converter, the codebook and the results."""

    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = "in"
    NOT_IN = "not_in"
    HAS = "has"
    HAS_ANY = "has_any"
    HAS_ALL = "has_all"
    HAS_NONE = "has_none"
    COUNT_EQ = "count_eq"
    COUNT_GTE = "count_gte"
    COUNT_LTE = "count_lte"
    ANSWERED = "answered"


def check_in(column: str, values: type[StrEnum]) -> str:
    """The SQL of a CHECK constraint that keeps `column` among an enum's values.

    >>> check_in("role", Role)
    "role IN ('admin', 'study', 'analyst')"
    """
    listed = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({listed})"
