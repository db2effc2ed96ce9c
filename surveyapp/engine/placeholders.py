"""Bracketed placeholders left for the study team: `[CONTACT ADDRESS]`, `[ADRESSE DE CONTACT]`.

A text that still holds one is not ready for fieldwork: the linter warns where it is written,
and opening fieldwork asks for confirmation (services/surveys.py). The rule is generic: square
brackets around two or more characters with at least one letter and no lower-case letter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .model import Survey, Text
from .reader import Reader

BRACKETED = re.compile(r"\[([^\[\]\n]{2,80})\]")


def bracketed(value: str) -> list[str]:
    """The placeholders of one string, as written (`[CONTACT ADDRESS]`)."""
    found = []
    for match in BRACKETED.finditer(value):
        inner = match.group(1)
        if any(c.isalpha() for c in inner) and inner == inner.upper() and inner.strip() == inner:
            found.append(match.group(0))
    return found


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A placeholder still written in a text of the survey."""

    kind: str  # "survey" (header), "question", "option", "row" or "ending"
    element: str  # "title", "intro", "q3 15" (question and code), "so1"…
    lang: str
    text: str  # "[CONTACT ADDRESS]"

    @property
    def where(self) -> str:
        """The element in English, for the command line: "question 'intro'"."""
        return f"{self.kind} '{self.element}'"


def warn_placeholders(reader: Reader) -> None:
    """A located warning for each text that still holds a placeholder."""
    for text in reader.texts():
        for lang, value in text.items():
            for found in bracketed(value):
                message = (
                    f"placeholder {found} in the '{lang}' text: replace it before fieldwork opens"
                )
                reader.report_at(("text", id(text)), message, "placeholder", lang, warning=True)


def unfilled_placeholders(survey: Survey) -> tuple[Placeholder, ...]:
    """Every placeholder in the texts respondents can see, in questionnaire order."""
    return tuple(
        Placeholder(kind, element, lang, found)
        for kind, element, text in _texts(survey)
        if text
        for lang, value in text.items()
        for found in bracketed(value)
    )


def _texts(survey: Survey) -> Iterator[tuple[str, str, Text | None]]:
    yield "survey", "title", survey.title
    yield "survey", "screening_title", survey.screening_title
    yield "survey", "introduction", survey.introduction
    for page in survey.pages:
        for q in page.questions:
            yield "question", q.id, q.text
            yield "question", q.id, q.help
            for option in q.options if q.option_list is None else ():
                yield "option", f"{q.id} {option.code}", option.label
            for row in q.rows:
                yield "row", f"{q.id} {row.code}", row.text
    for name, options in survey.option_lists.items():
        for option in options:
            yield "option", f"{name} {option.code}", option.label
    for ending in survey.endings:
        yield "ending", ending.id, ending.message
