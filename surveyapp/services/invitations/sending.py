"""Sending waves of invitations and reminders at a configured rate, with progress.

Eligibility is recomputed from the contact rows at every run, so a wave interrupted (worker
killed, SMTP server gone) and run again sends to the remaining contacts only: an invitation
goes to `pending` contacts, a reminder to contacts who were mailed, have not completed, did not
unsubscribe or bounce, and were last mailed at least `interval_days` ago.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from surveyapp.models import Survey, utcnow
from surveyapp.models.invitation import InvitationContact, InvitationTemplate, InvitationWave
from surveyapp.services.audit import Actor, record
from surveyapp.services.invitations import links, mail
from surveyapp.services.invitations.contacts import survey_schema

#: Contacts read and marked per transaction.
BATCH = 50


class SendingError(ValueError):
    """A wave cannot start (no contacts, configuration missing, template broken)."""


@dataclass(frozen=True, slots=True)
class MailSettings:
    """Everything a wave needs from the configuration."""

    smtp: mail.SmtpSettings | None
    sender: str
    public_url: str
    per_minute: float
    reminder_interval_days: int
    secret: bytes


def settings_from_config(config: Mapping[str, Any]) -> MailSettings:
    """The invitation settings of an app's configuration (MailConfigError when malformed)."""
    url = config.get("SMTP_URL")
    return MailSettings(
        smtp=mail.SmtpSettings.from_url(url) if url else None,
        sender=config.get("MAIL_FROM") or "surveyapp@localhost",
        public_url=config.get("PUBLIC_URL") or "",
        per_minute=float(config.get("MAIL_PER_MINUTE") or 0),
        reminder_interval_days=int(config.get("REMINDER_INTERVAL_DAYS") or 0),
        secret=config["SECRET_KEY"].encode("utf-8"),
    )


def _eligible(
    survey_id: int, kind: str, today: date, interval_days: int
) -> Select[InvitationContact]:
    query = select(InvitationContact).where(
        InvitationContact.survey_id == survey_id,
        InvitationContact.unsubscribed.is_(False),
        InvitationContact.bounced.is_(False),
    )
    if kind == "invitation":
        return query.where(InvitationContact.progress == "pending")
    last = today - timedelta(days=interval_days)
    return query.where(
        InvitationContact.progress.in_(("sent", "opened", "started")),
        InvitationContact.last_sent_on <= last,
    )


def count_eligible(session: Session, survey: Survey, kind: str, settings: MailSettings) -> int:
    """How many contacts a wave of `kind` would mail today."""
    query = _eligible(survey.id, kind, date.today(), settings.reminder_interval_days)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def template_for(session: Session, survey: Survey, kind: str, language: str) -> mail.Template:
    """The study team's template, else the built-in one."""
    row = session.scalar(
        select(InvitationTemplate).where(
            InvitationTemplate.survey_id == survey.id,
            InvitationTemplate.kind == kind,
            InvitationTemplate.language == language,
        )
    )
    if row is not None:
        return mail.Template(row.subject, row.text, row.html)
    title = survey_schema(session, survey).shown_title()[language]  # neutral while screening
    return mail.default_template(kind, language, title)


def contact_variables(
    contact: InvitationContact, settings: MailSettings, slug: str
) -> dict[str, Any]:
    """What a template may use: the links and the contact’s declared attributes."""
    token = links.link_token(contact.link_key, settings.secret)
    base = settings.public_url.rstrip("/")
    return {
        **{k: str(v) for k, v in contact.attributes.items()},
        "link": f"{base}/s/{slug}/i/{token}",
        "unsubscribe_link": f"{base}/u/{token}",
    }


def compose(
    session: Session, survey: Survey, contact: InvitationContact, kind: str, settings: MailSettings
) -> EmailMessage:
    """The message for one contact (also used by the admin preview and the test mail)."""
    variables = contact_variables(contact, settings, survey.slug)
    filled = mail.render(template_for(session, survey, kind, contact.language), variables)
    return mail.build_message(
        sender=settings.sender,
        to=contact.email,
        filled=filled,
        unsubscribe_url=variables["unsubscribe_link"],
        language=contact.language,
    )


def start_wave(
    session: Session, survey: Survey, kind: str, settings: MailSettings, actor: Actor
) -> InvitationWave:
    """Create a wave of `kind` for the contacts eligible now. Commits."""
    if kind not in ("invitation", "reminder"):
        raise SendingError(f"unknown kind {kind!r}")
    if settings.smtp is None:
        raise SendingError("SURVEYAPP_SMTP_URL is not set: no mail can be sent")
    if not settings.public_url:
        raise SendingError("SURVEYAPP_PUBLIC_URL is not set: the links in the mails need it")
    schema = survey_schema(session, survey)
    attributes = tuple(p.id for p in schema.parameters)
    for language in schema.languages:
        try:
            mail.check_template(template_for(session, survey, kind, language), attributes)
        except mail.TemplateProblem as exc:
            raise SendingError(f"the {kind} template in {language} does not render: {exc}") from exc
    recipients = count_eligible(session, survey, kind, settings)
    if recipients == 0:
        raise SendingError(f"no contact to send an {kind} to today")
    wave = InvitationWave(survey_id=survey.id, kind=kind, recipients=recipients)
    session.add(wave)
    session.flush()
    record(session, actor, f"invitations.{kind}", survey_id=survey.id, details={"wave": wave.id})
    session.commit()
    return wave


def unfinished_wave(session: Session, survey: Survey, kind: str) -> InvitationWave | None:
    """A wave of `kind` a stopped sender left unfinished (continued rather than doubled)."""
    return session.scalar(
        select(InvitationWave)
        .where(
            InvitationWave.survey_id == survey.id,
            InvitationWave.kind == kind,
            InvitationWave.finished_at.is_(None),
        )
        .order_by(InvitationWave.id.desc())
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a wave stands."""

    done: int
    total: int
    sent: int
    failed: int


def run_wave(
    session: Session,
    wave_id: int,
    settings: MailSettings,
    *,
    progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Progress:
    """Send the wave's mails at `settings.per_minute`; each contact is marked as it is sent."""
    wave = session.get(InvitationWave, wave_id)
    if wave is None:
        raise SendingError(f"no wave {wave_id}")
    survey = session.get(Survey, wave.survey_id)
    assert survey is not None
    if settings.smtp is None:
        raise SendingError("SURVEYAPP_SMTP_URL is not set: no mail can be sent")
    delivery = mail.Delivery(settings.smtp)
    interval = 60.0 / settings.per_minute if settings.per_minute > 0 else 0.0
    next_at = clock()
    last_id = 0
    today = date.today()
    try:
        while True:
            batch = list(
                session.scalars(
                    _eligible(survey.id, wave.kind, today, settings.reminder_interval_days)
                    .where(InvitationContact.id > last_id)
                    .order_by(InvitationContact.id)
                    .limit(BATCH)
                )
            )
            if not batch:
                break
            for contact in batch:
                last_id = contact.id
                # Paced from the end of the previous send, not from a fixed timetable: after a
                # stall (a slow SMTP server, a busy host) the next mails do not rush to catch
                # up, so no stretch of mails ever reaches the server faster than the rate.
                wait = next_at - clock()
                if wait > 0:
                    sleep(wait)
                error = delivery.send(compose(session, survey, contact, wave.kind, settings))
                next_at = clock() + interval
                _mark(session, wave, contact, today, error)
                session.commit()
                if progress is not None:
                    progress(
                        Progress(wave.sent + wave.failed, wave.recipients, wave.sent, wave.failed)
                    )
    finally:
        delivery.close()
    session.execute(
        update(InvitationWave).where(InvitationWave.id == wave.id).values(finished_at=utcnow())
    )
    session.commit()
    return _progress(wave)


def _progress(wave: InvitationWave) -> Progress:
    return Progress(wave.sent + wave.failed, wave.recipients, wave.sent, wave.failed)


def _mark(
    session: Session,
    wave: InvitationWave,
    contact: InvitationContact,
    today: date,
    error: str | None,
) -> None:
    if error is not None:
        # 5xx: the server refuses the address for good; 4xx: try again with the next wave.
        contact.bounced = contact.bounced or error.startswith("5")
        contact.last_error = error[:300]
        wave.failed += 1
        return
    if wave.kind == "invitation":
        contact.progress = "sent"
        contact.wave_id = wave.id
    else:
        contact.reminders += 1
    contact.last_sent_on = today
    contact.last_error = None
    wave.sent += 1
