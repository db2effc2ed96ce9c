"""What invited people did: link opened, started, completed, unsubscribed, bounced; the funnel.

Progress only moves forward, and is written in its own transaction after the respondent's page
was saved, never in the same one (rows written by one transaction share its id on PostgreSQL).
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from surveyapp.models import AuditEvent, Contact, Survey, utcnow
from surveyapp.models.invitation import (
    PROGRESS,
    EmailSuppression,
    InvitationContact,
    InvitationTemplate,
    InvitationWave,
)
from surveyapp.services.invitations import links
from surveyapp.services.invitations.contacts import email_hash
from surveyapp.services.sqlutil import affected


def find_contact(session: Session, slug: str | None, token: str) -> InvitationContact | None:
    """The contact whose personal link carries `token` (of survey `slug` when given)."""
    query = select(InvitationContact).where(InvitationContact.token_hash == links.token_hash(token))
    if slug is not None:
        query = query.join(Survey, Survey.id == InvitationContact.survey_id).where(
            Survey.slug == slug
        )
    return session.scalar(query)


def list_contacts(session: Session, survey_id: int) -> list[InvitationContact]:
    """A survey's contacts in import order."""
    return list(
        session.scalars(
            select(InvitationContact)
            .where(InvitationContact.survey_id == survey_id)
            .order_by(InvitationContact.id)
        )
    )


def advance(session: Session, contact_id: int, progress: str) -> None:
    """Move a contact's progress forward to `progress` (never back). Commits."""
    later = PROGRESS[PROGRESS.index(progress) :]
    session.execute(
        update(InvitationContact)
        .where(InvitationContact.id == contact_id, InvitationContact.progress.not_in(later))
        .values(progress=progress)
    )
    session.commit()


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    """The page shown after unsubscribing."""

    slug: str
    language: str


def unsubscribe(session: Session, token: str) -> Unsubscribed | None:
    """Stop mails to the link's contact, and add the address to the suppression list. Commits."""
    contact = find_contact(session, None, token)
    if contact is None:
        return None
    contact.unsubscribed = True
    key = email_hash(contact.email)
    if session.get(EmailSuppression, key) is None:
        session.add(EmailSuppression(email_hash=key, created_on=utcnow().date()))
    survey = session.get(Survey, contact.survey_id)
    assert survey is not None
    result = Unsubscribed(survey.slug, contact.language)
    session.commit()
    return result


def record_bounces(session: Session, data: bytes) -> list[str]:
    """Mark as bounced the recipients of delivery status notifications (RFC 3464). Commits.

    `data` is one message or an mbox of them; only permanent failures (Action: failed,
    Status 5.x.x) count. Returns the addresses marked.
    """
    addresses = []
    for raw in _split_mbox(data):
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for part in message.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            for block in part.get_payload():
                if not isinstance(block, email.message.Message):
                    continue
                action = str(block.get("Action", "")).strip().lower()
                status = str(block.get("Status", "")).strip()
                recipient = str(block.get("Final-Recipient", "")).partition(";")[2].strip()
                if action == "failed" and status.startswith("5") and recipient:
                    addresses.append(
                        (recipient.lower(), f"{status} {block.get('Diagnostic-Code', '')}".strip())
                    )
    marked = []
    for address, diagnostic in addresses:
        result = session.execute(
            update(InvitationContact)
            .where(func.lower(InvitationContact.email) == address)
            .values(bounced=True, last_error=diagnostic[:300])
        )
        if affected(result):
            marked.append(address)
    session.commit()
    return marked


def _split_mbox(data: bytes) -> list[bytes]:
    if not data.startswith(b"From "):
        return [data]
    messages: list[bytes] = []
    current: list[bytes] = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From ") and current:
            messages.append(b"".join(current[1:]))
            current = []
        current.append(line)
    if current:
        messages.append(b"".join(current[1:]))
    return messages


@dataclass(frozen=True, slots=True)
class FunnelRow:
    """One wave of invitations and what its contacts did since (reminders included)."""

    wave_id: int | None
    created_at: object
    invited: int
    bounced: int
    opened: int
    started: int
    completed: int
    unsubscribed: int
    reminders: int


def funnel(session: Session, survey_id: int) -> list[FunnelRow]:
    """The invitation funnel per wave of first invitation (one aggregate query)."""
    c = InvitationContact
    reached = {p: PROGRESS[PROGRESS.index(p) :] for p in ("opened", "started", "completed")}
    rows = session.execute(
        select(
            c.wave_id,
            func.count(),
            func.sum(case((c.bounced.is_(True), 1), else_=0)),
            *(func.sum(case((c.progress.in_(reached[p]), 1), else_=0)) for p in reached),
            func.sum(case((c.unsubscribed.is_(True), 1), else_=0)),
            func.sum(c.reminders),
        )
        .where(c.survey_id == survey_id, c.progress != "pending")
        .group_by(c.wave_id)
    ).all()
    waves = dict(
        session.execute(
            select(InvitationWave.id, InvitationWave.created_at).where(
                InvitationWave.survey_id == survey_id
            )
        ).all()
    )
    result = [
        FunnelRow(wave_id, waves.get(wave_id), *(int(v or 0) for v in values))
        for wave_id, *values in rows
    ]
    return sorted(result, key=lambda r: (r.wave_id is None, r.wave_id or 0))


@dataclass(frozen=True, slots=True)
class FunnelTotals:
    """Every wave together: contacts mailed, and how many of them went how far."""

    invited: int
    opened: int
    started: int
    completed: int

    @property
    def steps(self) -> tuple[tuple[str, int], ...]:
        """(step, contacts) from invited to completed, for the dashboard."""
        return (
            ("invited", self.invited),
            ("opened", self.opened),
            ("started", self.started),
            ("completed", self.completed),
        )


def funnel_totals(session: Session, survey_id: int) -> FunnelTotals:
    """Invited -> opened the link -> started -> reached an ending, all waves together, in one
    aggregate statement (a contact who started also counts as having opened)."""
    c = InvitationContact
    reached = [PROGRESS[PROGRESS.index(p) :] for p in ("opened", "started", "completed")]
    row = session.execute(
        select(
            func.count(),
            *(func.sum(case((c.progress.in_(steps), 1), else_=0)) for steps in reached),
        ).where(c.survey_id == survey_id, c.progress != "pending")
    ).one()
    invited, opened, started, completed = (int(v or 0) for v in row)
    return FunnelTotals(invited, opened, started, completed)


def fieldwork_ended_at(session: Session, survey: Survey) -> datetime | None:
    """When fieldwork ended: the close, or the end of the window; None while it runs."""
    now = utcnow()
    ends = []
    if survey.closes_at is not None and survey.closes_at <= now:
        ends.append(survey.closes_at)
    if survey.state == "closed":
        closed = session.scalar(
            select(func.max(AuditEvent.at)).where(
                AuditEvent.survey_id == survey.id, AuditEvent.action == "survey.closed"
            )
        )
        ends.append(closed or now)
    return min(ends) if ends else None


def purge_contacts(session: Session) -> list[tuple[str, int, int]]:
    """Delete contact lists, participation and end-of-survey addresses of surveys whose
    fieldwork ended more than `retention_days` ago. Commits; returns (slug, invited, left)."""
    purged = []
    for survey in session.scalars(select(Survey).where(Survey.retention_days.is_not(None))):
        ended = fieldwork_ended_at(session, survey)
        if ended is None or ended > utcnow() - timedelta(days=survey.retention_days or 0):
            continue
        invited = affected(
            session.execute(
                delete(InvitationContact).where(InvitationContact.survey_id == survey.id)
            )
        )
        left = affected(session.execute(delete(Contact).where(Contact.survey_id == survey.id)))
        session.execute(delete(InvitationWave).where(InvitationWave.survey_id == survey.id))
        session.execute(delete(InvitationTemplate).where(InvitationTemplate.survey_id == survey.id))
        session.commit()
        if invited or left:
            purged.append((survey.slug, invited, left))
    return purged


@dataclass(frozen=True, slots=True)
class OpenedLink:
    """A personal link that was followed: the respondent token and the survey language."""

    response_token: str
    language: str


def open_link(session: Session, slug: str, token: str, secret: bytes) -> OpenedLink | None:
    """A personal link followed: the contact is `opened` (if not further). Commits."""
    contact = find_contact(session, slug, token)
    if contact is None:
        session.rollback()
        return None
    opened = OpenedLink(links.response_token(token, secret), contact.language)
    advance(session, contact.id, "opened")
    return opened


def invited_start(
    session: Session, slug: str, token: str | None, secret: bytes
) -> tuple[str, dict[str, Any]] | None:
    """(respondent token, attributes) for a response started through a personal link."""
    if not token:
        return None
    contact = find_contact(session, slug, token)
    if contact is None:
        return None
    return links.response_token(token, secret), dict(contact.attributes)


def sync_progress(session: Session, slug: str, token: str, secret: bytes, status: str) -> None:
    """After the respondent's own transaction: `started`, or `completed` once any ending
    (complete, screen-out, quota full: which one is never recorded here) is reached."""
    contact = find_contact(session, slug, token)
    if contact is None:
        session.rollback()
        return
    advance(session, contact.id, "started" if status == "in_progress" else "completed")
