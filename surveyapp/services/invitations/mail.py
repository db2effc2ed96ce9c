"""Invitation and reminder mails: templates per language, MIME messages, SMTP delivery.

A mail carries the contact's personal link and a one-click unsubscribe link (RFC 8058:
`List-Unsubscribe` with an HTTPS URL and `List-Unsubscribe-Post`). Templates are Jinja text run
in a sandbox (the study team writes them); the HTML part is autoescaped.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import unquote, urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from surveyapp.models import utcnow

_TEXT_ENV = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_HTML_ENV = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


class MailConfigError(ValueError):
    """SURVEYAPP_SMTP_URL or the public URL is missing or malformed."""


class TemplateProblem(ValueError):
    """A template does not render (syntax, unknown variable)."""


@dataclass(frozen=True, slots=True)
class Template:
    """Subject, text and optional HTML of one mail kind in one language."""

    subject: str
    text: str
    html: str | None = None


def default_template(kind: str, language: str, title: str) -> Template:
    """The built-in invitation or reminder in `language` (from the interface catalogs)."""
    with force_locale(language):
        if kind == "reminder":
            subject = _("Reminder: %(title)s", title=title)
            intro = _(
                "A few days ago we invited you to answer our survey “%(title)s”. "
                "Your answers are still missing, and they count.",
                title=title,
            )
        else:
            subject = _("Survey invitation: %(title)s", title=title)
            intro = _(
                "We invite you to answer our survey “%(title)s”. It takes about fifteen "
                "minutes; you can stop and come back with the same link.",
                title=title,
            )
        follow = _("Your personal link (please do not forward it):")
        stop = _("To receive no more mail about this survey:")
    text = f"{intro}\n\n{follow}\n{{{{ link }}}}\n\n{stop}\n{{{{ unsubscribe_link }}}}\n"
    return Template(subject, text, None)


def render(template: Template, variables: dict[str, str]) -> Template:
    """The template filled with a contact's variables; TemplateProblem when it cannot be."""
    try:
        subject = _TEXT_ENV.from_string(template.subject).render(variables)
        text = _TEXT_ENV.from_string(template.text).render(variables)
        html = _HTML_ENV.from_string(template.html).render(variables) if template.html else None
    except TemplateError as exc:
        raise TemplateProblem(str(exc)) from exc
    return Template(" ".join(subject.split()), text, html)


def check_template(template: Template, attributes: tuple[str, ...]) -> None:
    """Render with sample values: TemplateProblem names what is wrong."""
    sample = {"link": "https://example.org/i/X", "unsubscribe_link": "https://example.org/u/X"}
    sample.update({name: name for name in attributes})
    filled = render(template, sample)
    if "https://example.org/i/X" not in filled.text:
        raise TemplateProblem("the text part must contain {{ link }}")


def build_message(
    *, sender: str, to: str, filled: Template, unsubscribe_url: str, language: str
) -> EmailMessage:
    """A MIME message with the one-click unsubscribe headers."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = filled.subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(filled.text)
    if filled.html:
        msg.add_alternative(filled.html, subtype="html")
    # After the content: set_content() replaces every Content-* header.
    msg["Content-Language"] = language
    return msg


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where mail goes: smtp:// (optionally ?starttls=1) or smtps://, with credentials."""

    host: str
    port: int
    tls: str  # "none", "starttls" or "ssl"
    username: str | None
    password: str | None
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str | None) -> SmtpSettings:
        if not url:
            raise MailConfigError(
                "SURVEYAPP_SMTP_URL is not set (e.g. smtp://mail.example.org:587?starttls=1)"
            )
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailConfigError(
                f"SURVEYAPP_SMTP_URL must be smtp://host[:port] or smtps://host[:port], got {url!r}"
            )
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        if parts.scheme == "smtps":
            tls, port = "ssl", parts.port or 465
        elif query.get("starttls", "").lower() in ("1", "true", "yes"):
            tls, port = "starttls", parts.port or 587
        else:
            tls, port = "none", parts.port or 25
        return cls(
            parts.hostname,
            port,
            tls,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )


class Delivery:
    """One SMTP connection for a sending wave (reopened after a dropped connection)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.tls == "starttls":
                smtp.starttls(context=context)
        if s.username:
            smtp.login(s.username, s.password or "")
        return smtp

    def send(self, msg: EmailMessage) -> str | None:
        """Hand one message to the server: None when accepted, else the refusal in words."""
        for attempt in (1, 2):
            if self._smtp is None:
                self._smtp = self._connect()
            try:
                refused = self._smtp.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                return (
                    f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
                )
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
                if attempt == 2:
                    raise
                continue
            except smtplib.SMTPResponseException as exc:
                return f"{exc.smtp_code} {_text(exc.smtp_error)}"
            if refused:
                code, text = next(iter(refused.values()))
                return f"{code} {_text(text)}"
            return None
        return None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                pass
            self._smtp = None


def _text(detail: bytes | str) -> str:
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
