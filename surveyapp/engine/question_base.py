"""The base of the question-type registry and the helpers every type shares."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .messages import FieldError
from .model import Column, Option, Question, Row
from .reader import Reader

if TYPE_CHECKING:
    from .yamlsource import YNode

MAX_TEXT_LENGTH = 10_000
OTHER_MAX_LENGTH = 1_000
EMAIL_MAX_LENGTH = 254
_SURROGATES = re.compile("[\ud800-\udfff]")
INTEGER = re.compile(r"[+-]?[0-9]{1,15}\Z")
DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(?:[.,]([0-9]{1,15}))?\Z")
_SPACE = re.compile(r"\s")

Values = dict[str, Any]
Parsed = tuple[Values, list[FieldError]]


def form_values(form: Mapping[str, Any], key: str) -> list[str]:
    """The raw strings posted for a field (works with dicts of lists and MultiDicts)."""
    getlist = getattr(form, "getlist", None)
    raw = getlist(key) if getlist is not None else form.get(key)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    return [item if isinstance(item, str) else str(item) for item in raw]


def clean_text(raw: str, max_length: int) -> tuple[str | None, str | None]:
    """NFC-normalised, trimmed text, or an error code (NUL, lone surrogate, too long)."""
    if len(raw) > 4 * MAX_TEXT_LENGTH:
        return None, "too_long"
    if "\x00" in raw or _SURROGATES.search(raw):
        return None, "invalid_characters"
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).strip()
    if len(text) > min(max_length, MAX_TEXT_LENGTH):
        return None, "too_long"
    return (text or None), None


def valid_email(text: str) -> bool:
    """The platform's e-mail rule: one @ with text before, a dotted domain, no spaces."""
    if len(text) > EMAIL_MAX_LENGTH or _SPACE.search(text) or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    return bool(local) and "." in domain.strip(".") and not domain.startswith(".")


def single_value(form: Mapping[str, Any], field: str, errors: list[FieldError]) -> str | None:
    """The one raw value of a field (None when absent or blank); repeats are an error."""
    raw = form_values(form, field)
    if len(raw) > 1:
        errors.append(FieldError(field, "repeated"))
        return None
    return raw[0] if raw and raw[0].strip() else None


@dataclass(frozen=True, slots=True)
class QuestionType:
    """Base class: a type name, its schema keys and its value kind for conditions."""

    name: ClassVar[str] = ""
    keys: ClassVar[frozenset[str]] = frozenset()
    value_kind: ClassVar[str] = "text"
    default_required: ClassVar[bool] = True
    has_options: ClassVar[bool] = False
    #: False for display-only types (notes): nothing to answer, store or count.
    takes_answer: ClassVar[bool] = True
    #: A grid of rows answered on one scale (matrix): the rows, not the options, are what
    #: `random_order` shuffles, the value is a {row: code} mapping, straight-lining is possible.
    has_rows: ClassVar[bool] = False
    #: Fields posted as `<id>.<part>` besides `<id>` (a date's day, month and year).
    parts: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_yaml(cls, reader: Reader, fields: dict[str, YNode], path: str) -> QuestionType:
        """Read the type's own settings (options and rows are read by the loader)."""
        return cls()

    @property
    def widget(self) -> str:
        """Render hint: the kind of input to draw."""
        return self.name

    def parse(
        self, q: Question, form: Mapping[str, Any], options: Sequence[Option], rows: Sequence[Row]
    ) -> Parsed:
        """Posted strings -> stored values for one visible question, and errors."""
        return {}, []

    def required_ticks(self, q: Question) -> int:
        """Fewest codes a required answer must tick (0: the type ticks no codes)."""
        return 0

    def columns(self, q: Question) -> list[Column]:
        """The export columns of the question."""
        return [Column(q.export_name, q.id, self.name, q.text, personal=q.personal)]

    def _missing(self, q: Question, errors: list[FieldError]) -> Parsed:
        if q.required:
            errors.append(FieldError(q.id, "required"))
        return {q.id: None}, errors
