"""A page view as template fields: ids, checked states, typed values and located errors.

The engine's PageView says what to show; this module decides how it reads in HTML: one
fieldset per choice group, ids that tie labels, help and errors to inputs, and the values the
respondent typed (a re-render never loses them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_date, format_decimal, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveyapp import date_fields
from surveyapp.engine.messages import PLURAL_MESSAGES, FieldError, message_text
from surveyapp.engine.render import DECIMAL_COMMA, QuestionView
from surveyapp.i18n import ui_lang
from surveyapp.languages import autonym
from surveyapp.services.responses import PageScreen
from surveyapp.typography import typeset

#: Language names as their speakers write them (the switch names the other language).
SUMMARY_LABEL_MAX = 90
#: The labels of a date's three fields.
DATE_PART_LABELS = {"day": _l("Day"), "month": _l("Month"), "year": _l("Year")}


@dataclass
class Choice:
    """One radio button or checkbox."""

    code: str
    label: str
    id: str
    checked: bool
    exclusive: bool = False
    other: bool = False


@dataclass
class Other:
    """The text field of an "Other, please specify" option."""

    name: str
    id: str
    value: str
    errors: list[str] = field(default_factory=list)


@dataclass
class DontKnowBox:
    """The "don't know" checkbox of a number question."""

    name: str
    id: str
    label: str
    checked: bool


@dataclass
class MatrixRow:
    """One row of a matrix: its own group of radio buttons."""

    code: str
    text: str
    name: str
    id: str
    choices: list[Choice]
    errors: list[str] = field(default_factory=list)


@dataclass
class DatePart:
    """One of a date's three fields (day, month or year)."""

    part: str
    name: str
    id: str
    label: str
    value: str


@dataclass
class Field:
    """One question as the template draws it."""

    id: str
    type: str
    widget: str
    text: str
    help: str | None
    required: bool
    anchor: str
    value: str = ""
    choices: list[Choice] = field(default_factory=list)
    rows: list[MatrixRow] = field(default_factory=list)
    other: Other | None = None
    errors: list[str] = field(default_factory=list)
    anchors: tuple[str, str] | None = None
    inputmode: str | None = None
    #: Multiple choice: the fewest and most answers accepted (None: no limit).
    min: int | None = None
    max: int | None = None
    #: Matrix: the scale's (code, label), the table's column headers.
    scale: list[tuple[str, str]] = field(default_factory=list)
    dont_know: DontKnowBox | None = None
    #: Date: the day, month and year fields in the page language's order.
    parts: list[DatePart] = field(default_factory=list)

    @property
    def described_by(self) -> str:
        """Ids of the help text and of the error message, for aria-describedby."""
        ids = [f"h-{self.id}"] if self.help else []
        if self.errors:
            ids.append(f"e-{self.id}")
        return " ".join(ids)


@dataclass(frozen=True)
class ErrorLink:
    """A line of the error summary, linking to the field."""

    label: str
    text: str
    href: str


def message(
    error: FieldError,
    labels: Mapping[tuple[str, str], str] | None = None,
    lang: str | None = None,
) -> str:
    """A validation message in the interface language: numbers formatted for the locale, plural
    forms following them, the excluding option named by its label, French typography; the
    schema's own message (a check, a constraint_message) in the respondent's language."""
    if error.text:
        lang = lang or ui_lang()
        return typeset(message_text(error, _, lang=lang), lang)
    params = {
        k: format_decimal(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
        for k, v in error.params.items()
    }
    if error.code == "exclusive":
        code = str(error.params.get("code", ""))
        params["option"] = (labels or {}).get((error.field, code), code)
    if error.code == "dont_know_and_number":
        params["label"] = (labels or {}).get((error.field, "_dk"), "")
    if error.code == "date_not_real":
        params["date"] = _typed_date(error.params)
    for bound in ("min", "max"):
        if error.code.startswith("date_too_") and bound in params:
            params[bound] = _long_date(str(params[bound]))
    counted = PLURAL_MESSAGES.get(error.code, ("", "", ""))[2]
    count = error.params.get(counted, 2)

    def plural(singular: str, plural_: str, _n: int) -> str:
        return get_translations().ungettext(singular, plural_, count)

    text = message_text(FieldError(error.field, error.code, params), _, plural)
    return typeset(text, ui_lang())


def _typed_date(params: Mapping[str, Any]) -> str:
    """The impossible date typed, as the interface language writes it: `31/02` (the year only
    when it is what makes the date wrong: `29/02/2025`)."""
    day, month, year = (str(params.get(k, "")) for k in ("day", "month", "year"))
    if not (day.isdigit() and month.isdigit()):
        return "-".join((year, month, day))
    d, m = int(day), int(month)
    leap_only = (d, m) == (29, 2)
    return date_fields.short_text(ui_lang(), d, m, year if leap_only else None)


def _long_date(iso: str) -> str:
    """A bound in words (`1er janvier 1900`, `January 1, 1900`)."""
    try:
        value = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    text = format_date(value, "long")
    if ui_lang() == "fr" and value.day == 1:
        text = "1er" + text[1:]
    return text


def build_fields(screen: PageScreen) -> tuple[list[Field], list[ErrorLink]]:
    """The page's fields and its error summary."""
    typed = screen.typed
    labels = {(qv.id, o.code): o.label for qv in screen.view.questions for o in qv.options}
    labels |= {(qv.id, "_dk"): qv.dont_know for qv in screen.view.questions if qv.dont_know}
    errors: dict[str, list[str]] = {}
    for error in screen.errors:
        errors.setdefault(error.field, []).append(message(error, labels, screen.lang))
    # `required_when` made by this page's answers: the page again says so, not "(optional)"
    required = {e.field for e in screen.errors if e.code == "required"}
    fields = [_field(qv, typed, errors, screen.lang, required) for qv in screen.view.questions]
    return fields, _summary(fields)


def _values(typed: Mapping[str, list[str]] | None, name: str, stored: Any) -> list[str]:
    if typed is not None:
        return list(typed.get(name, []))
    if stored is None:
        return []
    if isinstance(stored, list):
        return [str(v) for v in stored]
    return [str(stored)]


def _number_text(value: Any, lang: str) -> Any:
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if lang in DECIMAL_COMMA else text
    return value


def _field(
    qv: QuestionView,
    typed,
    errors: dict[str, list[str]],
    lang: str,
    required: set[str] | frozenset[str] = frozenset(),
) -> Field:
    qid, kind = qv.id, qv.question.type
    widget = qv.kind.widget if kind in ("single", "text") else kind
    f = Field(
        qid,
        kind,
        widget,
        qv.text,
        qv.help,
        qv.required or qid in required,
        f"f-{qid}",
        errors=errors.get(qid, []),
        anchors=qv.anchors,
    )
    if kind == "multiple":
        f.min, f.max = getattr(qv.kind, "min", None), getattr(qv.kind, "max", None)
    if kind in ("single", "multiple", "nps"):
        _choices(f, qv, typed)
        if f.other is not None:
            f.other.errors = errors.get(f.other.name, [])
    elif kind == "matrix":
        _matrix(f, qv, typed, errors)
    elif qv.kind.parts:
        _date_parts(f, qv, typed, lang)
    elif kind != "note":
        shown = _values(typed, qid, _number_text(qv.value, lang))
        f.value = shown[0] if shown else ""
        f.inputmode = {"integer": "numeric", "decimal": "decimal"}.get(kind)
    if qv.dont_know is not None:
        name = f"{qid}_dk"
        ticked = typed.get(name) == ["1"] if typed is not None else qv.dont_know_checked
        f.dont_know = DontKnowBox(name, f"f-{name}", qv.dont_know, ticked)
    return f


def _choices(f: Field, qv: QuestionView, typed) -> None:
    if qv.question.type == "nps":
        options = [(str(n), str(n), False, False) for n in range(11)]
    else:
        options = [(o.code, o.label, o.exclusive, o.other) for o in qv.options]
    checked = set(_values(typed, qv.id, qv.value))
    f.choices = [
        Choice(code, label, f"f-{qv.id}-{code}", code in checked, exclusive, other)
        for code, label, exclusive, other in options
    ]
    if f.widget == "dropdown":
        f.value = next(iter(checked), "")
    else:
        f.anchor = f.choices[0].id if f.choices else f.anchor
    other = next((c for c in f.choices if c.other), None)
    if other is not None:
        name = f"{qv.id}_other"
        typed_other = _values(typed, name, qv.other_value)
        f.other = Other(name, f"f-{name}", typed_other[0] if typed_other else "")


def _date_parts(f: Field, qv: QuestionView, typed, lang: str) -> None:
    """A date's fields in `lang`'s order, with what was typed (or the stored ISO date)."""
    shown = date_fields.split_iso(qv.value if isinstance(qv.value, str) else None)
    if typed is not None:
        iso = typed.get(qv.id, [])
        shown = date_fields.split_iso(iso[0]) if iso else {}
        for part in qv.kind.parts:
            values = typed.get(f"{qv.id}.{part}")
            if values is not None:
                shown[part] = values[0] if values else ""
    f.parts = [
        DatePart(
            part,
            f"{qv.id}.{part}",
            f"f-{qv.id}-{part}",
            str(DATE_PART_LABELS[part]),
            shown.get(part, ""),
        )
        for part in date_fields.part_order(lang)
    ]
    f.anchor = f.parts[0].id


def _matrix(f: Field, qv: QuestionView, typed, errors: dict[str, list[str]]) -> None:
    f.scale = [(o.code, o.label) for o in qv.options]
    for row in qv.rows:
        name = f"{qv.id}.{row.code}"
        chosen = set(_values(typed, name, row.value))
        row_id = f"f-{qv.id}-{row.code}"
        choices = [
            Choice(o.code, o.label, f"{row_id}-{o.code}", o.code in chosen) for o in qv.options
        ]
        f.rows.append(MatrixRow(row.code, row.text, name, row_id, choices, errors.get(name, [])))
    f.anchor = f.rows[0].choices[0].id if f.rows and f.rows[0].choices else f.anchor


def _summary(fields: list[Field]) -> list[ErrorLink]:
    links = []
    for f in fields:
        links += [ErrorLink(_short(f.text), text, f.anchor) for text in f.errors]
        for row in f.rows:
            anchor = row.choices[0].id if row.choices else f.anchor
            links += [ErrorLink(_short(row.text), text, anchor) for text in row.errors]
        if f.other is not None:
            links += [ErrorLink(_short(f.text), text, f.other.id) for text in f.other.errors]
    return links


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_LABEL_MAX else text[: SUMMARY_LABEL_MAX - 1] + "…"


def language_name(lang: str) -> str:
    """A language as its speakers write it ("Deutsch"), from the one language table."""
    return autonym(lang)


def other_languages(screen_lang: str, languages: tuple[str, ...]) -> list[tuple[str, str]]:
    """The languages the switch offers: (code, name) for each language but the current one."""
    return [(lang, language_name(lang)) for lang in languages if lang != screen_lang]
