"""The study team's invitation and reminder texts: saved checked, previewed, sent as a test."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.models import Survey
from surveyapp.models.invitation import InvitationContact, InvitationTemplate
from surveyapp.services.audit import Actor, record
from surveyapp.services.invitations import links, mail, sending
from surveyapp.services.invitations.contacts import survey_schema


def save_template(
    session: Session,
    survey: Survey,
    kind: str,
    language: str,
    template: mail.Template,
    actor: Actor,
) -> None:
    """Check and store a template (TemplateProblem says what is wrong). Commits."""
    schema = survey_schema(session, survey)
    if language not in schema.languages or kind not in ("invitation", "reminder"):
        raise mail.TemplateProblem(f"unknown kind or language: {kind} {language}")
    mail.check_template(template, tuple(p.id for p in schema.parameters))
    row = session.scalar(
        select(InvitationTemplate).where(
            InvitationTemplate.survey_id == survey.id,
            InvitationTemplate.kind == kind,
            InvitationTemplate.language == language,
        )
    )
    if row is None:
        row = InvitationTemplate(survey_id=survey.id, kind=kind, language=language)
        session.add(row)
    row.subject, row.text, row.html = template.subject, template.text, template.html or None
    record(session, actor, "invitations.template", survey_id=survey.id, target=f"{kind}/{language}")
    session.commit()


def sample_contact(session: Session, survey: Survey, language: str) -> InvitationContact:
    """The first contact in `language`, or a made-up one (never stored) to preview with."""
    contact = session.scalar(
        select(InvitationContact)
        .where(InvitationContact.survey_id == survey.id, InvitationContact.language == language)
        .order_by(InvitationContact.id)
        .limit(1)
    )
    if contact is not None:
        return contact
    return InvitationContact(
        survey_id=survey.id,
        email="preview@example.org",
        language=language,
        attributes={},
        link_key=links.new_link_key(),
    )


def preview(
    session: Session, survey: Survey, kind: str, language: str, settings: sending.MailSettings
) -> mail.Template:
    """The mail a contact in `language` would get (TemplateProblem when it does not render)."""
    contact = sample_contact(session, survey, language)
    variables = sending.contact_variables(contact, settings, survey.slug)
    return mail.render(sending.template_for(session, survey, kind, language), variables)


def send_test(
    session: Session,
    survey: Survey,
    kind: str,
    language: str,
    to: str,
    settings: sending.MailSettings,
) -> str | None:
    """Send the previewed mail to `to` (the logged-in user): None, or the server's refusal."""
    if settings.smtp is None:
        raise sending.SendingError("SURVEYAPP_SMTP_URL is not set: no mail can be sent")
    contact = sample_contact(session, survey, language)
    message = sending.compose(session, survey, contact, kind, settings)
    message.replace_header("To", to)
    session.rollback()  # the made-up contact is never stored
    delivery = mail.Delivery(settings.smtp)
    try:
        return delivery.send(message)
    finally:
        delivery.close()
