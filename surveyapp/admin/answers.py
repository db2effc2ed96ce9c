"""A stored response's answers as display rows, labelled from the response's own schema version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from surveyapp.engine import SchemaError
from surveyapp.extensions import db
from surveyapp.models import Response, SurveyVersion
from surveyapp.services import surveys

#: Question types whose answers are typed by the respondent (may name or describe them).
FREE_TEXT_TYPES = {"text", "email"}
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One answer: code, question text, (value, label) pairs, and whether it may be personal."""

    code: str
    question: str
    values: list[tuple[str, str | None]]
    personal: bool
    missing: bool = False


def answer_rows(response: Response, language: str) -> list[AnswerRow]:
    """Every stored answer in questionnaire order, then any key the schema does not know."""
    version = db.session.get(SurveyVersion, response.version_id)
    answers: dict[str, Any] = dict(response.answers or {})
    try:
        schema = surveys.compiled(version) if version is not None else None
    except SchemaError:  # a stored version the current engine rejects: show codes only
        schema = None
    if schema is None:
        return [_raw_row(code, value) for code, value in sorted(answers.items())]
    lang = schema.language(language)
    rows = []
    for page in schema.pages:
        for question in page.questions:
            if question.id in answers:
                rows.append(_question_row(question, answers.pop(question.id), lang))
            other = f"{question.id}_other"
            if other in answers:
                text = f"{_text(question.text, lang)} — {_other_label(question, lang)}"
                rows.append(_free_text_row(other, text, answers.pop(other)))
    rows.extend(_raw_row(code, value) for code, value in sorted(answers.items()))
    return rows


def _text(text, lang: str) -> str:
    if not text:
        return ""
    return text.get(lang) or next(iter(text.values()), "")


def _other_label(question, lang: str) -> str:
    option = question.other_option
    return _text(option.label, lang) if option is not None else "other"


def _question_row(question, value: Any, lang: str) -> AnswerRow:
    title = _text(question.text, lang)
    personal = question.personal or question.type in FREE_TEXT_TYPES
    if value is None or value == "" or value == []:
        return AnswerRow(question.id, title, [], personal, missing=True)
    labels = {option.code: _text(option.label, lang) for option in question.options}
    if question.kind.has_rows and isinstance(value, dict):
        rows = {row.code: _text(row.text, lang) for row in question.rows}
        pairs: list[tuple[str, str | None]] = [
            (f"{row}={code}", f"{rows.get(row, row)}: {labels.get(str(code), '')}")
            for row, code in value.items()
        ]
        return AnswerRow(question.id, title, pairs, personal)
    if isinstance(value, list):
        return AnswerRow(
            question.id, title, [(str(v), labels.get(str(v))) for v in value], personal
        )
    return AnswerRow(question.id, title, [(str(value), labels.get(str(value)))], personal)


def _free_text_row(code: str, title: str, value: Any) -> AnswerRow:
    if value is None or value == "":
        return AnswerRow(code, title, [], True, missing=True)
    return AnswerRow(code, title, [(str(value), None)], True)


def _raw_row(code: str, value: Any) -> AnswerRow:
    """A key the schema does not describe: shown as stored; text that is not a code is flagged."""
    values = value if isinstance(value, list) else [value]
    personal = any(isinstance(v, str) and not _CODE.match(v) for v in values)
    return AnswerRow(code, "", [(str(v), None) for v in values], personal, missing=value is None)
