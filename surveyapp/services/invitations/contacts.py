"""Contact lists: CSV import with located errors, duplicates merged, suppressions applied."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.engine import Survey as Schema
from surveyapp.engine.model import Parameter
from surveyapp.languages import INTERFACE_LANGUAGES, code_by_name
from surveyapp.models import Survey, SurveyVersion
from surveyapp.models.invitation import EmailSuppression, InvitationContact
from surveyapp.services import surveys
from surveyapp.services.audit import Actor, record
from surveyapp.services.invitations import links

#: A contact file larger than this is refused before it is read.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
EMAIL_COLUMNS = ("email", "e-mail", "mail", "courriel", "adresse")
LANGUAGE_COLUMNS = ("language", "lang", "langue")
#: Language names a contact file may give instead of a code ("Français", "english"…).
LANGUAGE_NAMES = code_by_name(INTERFACE_LANGUAGES)
#: Errors listed in one report at most (the rest are counted).
MAX_REPORTED = 50


class ContactFileError(ValueError):
    """The whole file cannot be read (encoding, size, header)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem: data row number as in a spreadsheet (header = row 1), column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass(slots=True)
class ImportReport:
    """What an import did, or why it did nothing."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0
    merged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def normalise_email(raw: str) -> str:
    """The address as stored and compared: validated syntax, trimmed, lower-case."""
    info = validate_email(raw.strip(), check_deliverability=False)
    return info.normalized.lower()


def email_hash(email: str) -> str:
    """The suppression list's key of an address."""
    return hashlib.sha256(email.lower().encode("utf-8")).hexdigest()


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ContactFileError(f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ContactFileError("the file is neither UTF-8 nor Windows-1252 text")


def _reader(text: str) -> csv.DictReader[str]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if "\t" in first and first.count("\t") > first.count(delimiter):
        delimiter = "\t"
    return csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)


def _column(header: Iterable[str], names: tuple[str, ...]) -> str | None:
    for name in header:
        if name.strip().lower() in names:
            return name
    return None


def _language(raw: str, schema: Schema) -> str | None:
    value = raw.strip().lower()
    if not value:
        return schema.default_language
    value = LANGUAGE_NAMES.get(value, value).split("-")[0].split("_")[0]
    return value if value in schema.languages else None


def _attribute(param: Parameter, raw: str) -> str | None:
    """A declared parameter's value from a cell, None when the cell is not valid for it."""
    text = raw.strip()
    if param.type == "single":
        code = param.aliases.get(text, text)
        return code if code in {o.code for o in param.options} else None
    return text if len(text) <= 64 and text.isprintable() else None


@dataclass(frozen=True, slots=True)
class _Row:
    email: str
    language: str
    attributes: dict[str, str]


def parse_contacts(data: bytes, schema: Schema) -> tuple[dict[str, _Row], ImportReport]:
    """Rows of a contact file, checked against the schema; duplicates merged (first wins)."""
    report = ImportReport()
    reader = _reader(_decode(data))
    header = [name for name in (reader.fieldnames or []) if name is not None]
    email_col = _column(header, EMAIL_COLUMNS)
    if email_col is None:
        raise ContactFileError(
            "the first row must name the columns, one of them `email` "
            f"(found: {', '.join(header) or 'nothing'})"
        )
    lang_col = _column(header, LANGUAGE_COLUMNS)
    params = {}
    for name in header:
        if name in (email_col, lang_col):
            continue
        param = next((p for p in schema.parameters if name.strip() in (p.param, p.id)), None)
        if param is None:
            declared = ", ".join(p.param for p in schema.parameters) or "none"
            report.problems.append(
                Problem(1, name, f"not a parameter declared by the survey (declared: {declared})")
            )
        else:
            params[name] = param
    rows: dict[str, _Row] = {}
    for number, record_ in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise ContactFileError(f"the file has more than {MAX_ROWS} rows")
        if None in record_:
            report.problems.append(Problem(number, "-", "more cells than the header has columns"))
            continue
        raw_email = (record_.get(email_col) or "").strip()
        if not raw_email and not any((v or "").strip() for v in record_.values()):
            continue  # a blank line
        try:
            email = normalise_email(raw_email)
        except EmailNotValidError as exc:
            report.problems.append(Problem(number, email_col, f"not an e-mail address ({exc})"))
            continue
        language = (
            _language(record_.get(lang_col) or "", schema)
            if lang_col
            else (schema.default_language)
        )
        if language is None:
            report.problems.append(
                Problem(
                    number,
                    lang_col or "language",
                    f"{record_.get(lang_col)!r} is not a language of the survey "
                    f"({', '.join(schema.languages)})",
                )
            )
            continue
        attributes = {}
        bad = False
        for name, param in params.items():
            raw = record_.get(name) or ""
            if not raw.strip():
                continue
            value = _attribute(param, raw)
            if value is None:
                allowed = ", ".join(o.code for o in param.options) if param.options else "text"
                report.problems.append(
                    Problem(number, name, f"{raw!r} is not a value of {param.param} ({allowed})")
                )
                bad = True
            else:
                attributes[param.id] = value
        if bad:
            continue
        if email in rows:
            report.merged.append(f"row {number}: {email} already on an earlier row (kept once)")
            continue
        rows[email] = _Row(email, language, attributes)
    return rows, report


def import_contacts(
    session: Session, survey: Survey, data: bytes, actor: Actor, *, secret: bytes
) -> ImportReport:
    """Import a contact file into a survey's list: all rows or, on any problem, none. Commits."""
    schema = survey_schema(session, survey)
    rows, report = parse_contacts(data, schema)
    if not report.ok:
        session.rollback()
        return report
    existing = {
        c.email: c
        for c in session.scalars(
            select(InvitationContact).where(InvitationContact.survey_id == survey.id)
        )
    }
    suppressed = set(
        session.scalars(
            select(EmailSuppression.email_hash).where(
                EmailSuppression.email_hash.in_([email_hash(e) for e in rows])
            )
        )
    )
    for email, row in rows.items():
        contact = existing.get(email)
        is_suppressed = email_hash(email) in suppressed
        if contact is None:
            key = links.new_link_key()
            session.add(
                InvitationContact(
                    survey_id=survey.id,
                    email=email,
                    language=row.language,
                    attributes=row.attributes,
                    link_key=key,
                    token_hash=links.token_hash(links.link_token(key, secret)),
                    unsubscribed=is_suppressed,
                )
            )
            report.added += 1
        elif contact.progress == "pending" and (
            contact.language != row.language or contact.attributes != row.attributes
        ):
            contact.language, contact.attributes = row.language, row.attributes
            report.updated += 1
        else:
            report.unchanged += 1
        report.suppressed += is_suppressed
    record(
        session,
        actor,
        "invitations.import",
        survey_id=survey.id,
        details={"added": report.added, "updated": report.updated},
    )
    session.commit()
    return report


def survey_schema(session: Session, survey: Survey) -> Schema:
    """The compiled schema new respondents of `survey` get."""
    version = session.get(SurveyVersion, survey.current_version_id)
    if version is None:
        raise ContactFileError(f"survey {survey.slug} has no published version")
    return surveys.compiled(version)


def count_contacts(session: Session, survey_id: int) -> int:
    """How many contacts a survey's list has."""
    return session.scalar(select(func.count()).where(InvitationContact.survey_id == survey_id)) or 0
