"""Audit records: who did what; never the content of an answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from surveyapp.models import AuditEvent


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user (by e-mail), an API token (by prefix), the CLI, or a respondent."""

    kind: str
    name: str | None = None

    @classmethod
    def cli(cls) -> Actor:
        """The operator at the command line."""
        import getpass

        try:
            user = getpass.getuser()
        except OSError:  # no user name in some containers
            user = None
        return cls("system", user)


RESPONDENT = Actor("respondent")


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    survey_id: int | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an audit event to the current transaction (the caller commits)."""
    session.add(
        AuditEvent(
            actor_type=actor.kind,
            actor=actor.name,
            action=action,
            survey_id=survey_id,
            target=target,
            details=details or {},
        )
    )
