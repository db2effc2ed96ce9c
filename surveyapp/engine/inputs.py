"""Input question types: numbers, texts, e-mail, consent and display-only notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from .messages import FieldError
from .model import Column, DontKnow, Option, Question, Row, Text
from .question_base import (
    DECIMAL,
    EMAIL_MAX_LENGTH,
    INTEGER,
    MAX_TEXT_LENGTH,
    Parsed,
    QuestionType,
    clean_text,
    single_value,
    valid_email,
)
from .reader import Reader, join

if TYPE_CHECKING:
    from .yamlsource import YNode


@dataclass(frozen=True, slots=True)
class IntegerType(QuestionType):
    """A whole number between min and max."""

    name: ClassVar[str] = "integer"
    keys: ClassVar[frozenset[str]] = frozenset({"min", "max", "dont_know"})
    value_kind: ClassVar[str] = "number"
    min: int | float | None = None
    max: int | float | None = None
    #: A "don't know" box: its code is stored instead of a number (a user-missing value).
    dont_know: DontKnow | None = None

    @classmethod
    def from_yaml(cls, reader: Reader, fields: dict[str, YNode], path: str) -> QuestionType:
        read = reader.integer if cls.name == "integer" else reader.number
        low, high = (
            read(fields[k], join(path, k), k) if k in fields else None for k in ("min", "max")
        )
        if low is not None and high is not None and low > high:
            reader.error(fields["min"], join(path, "min"), "min is greater than max", "range")
        extra = cls._extra(reader, fields, path)
        if "dont_know" in fields:
            extra["dont_know"] = _dont_know(reader, fields["dont_know"], path, low, high)
        return cls(low, high, **extra)

    @classmethod
    def _extra(cls, reader: Reader, fields: dict[str, YNode], path: str) -> dict[str, Any]:
        return {}

    @property
    def widget(self) -> str:
        return "number"

    def columns(self, q: Question) -> list[Column]:
        """One numeric column; the "don't know" code, when there is one, with its label."""
        if self.dont_know is None:
            return QuestionType.columns(self, q)
        labels = MappingProxyType({str(self.dont_know.code): self.dont_know.label})
        return [Column(q.id, q.id, self.name, q.text, labels, personal=q.personal)]

    def convert(self, raw: str) -> tuple[int | float | None, str | None, dict[str, Any]]:
        """Parse a posted number: (value, error code, error params)."""
        if not INTEGER.match(raw):
            return None, "not_an_integer", {}
        return int(raw), None, {}

    def parse(
        self, q: Question, form: Mapping[str, Any], options: Sequence[Option], rows: Sequence[Row]
    ) -> Parsed:
        errors: list[FieldError] = []
        raw = single_value(form, q.id, errors)
        ticked = single_value(form, f"{q.id}_dk", errors) if self.dont_know else None
        if errors:
            return {}, errors
        if ticked is not None and self.dont_know is not None:
            if ticked.strip() != "1":
                return {}, [FieldError(q.id, "invalid_choice")]
            if raw is not None:
                return {}, [FieldError(q.id, "dont_know_and_number")]
            return {q.id: self.dont_know.code}, errors
        if raw is None:
            return self._missing(q, errors)
        value, error, params = self.convert(raw.strip())
        if error is None and value is not None and self.min is not None and value < self.min:
            error, params = "too_small", {"min": self.min}
        if error is None and value is not None and self.max is not None and value > self.max:
            error, params = "too_large", {"max": self.max}
        if error is not None:
            return {}, [FieldError(q.id, error, MappingProxyType(params))]
        return {q.id: value}, errors


def _dont_know(
    reader: Reader, node: YNode, path: str, low: float | None, high: float | None
) -> DontKnow | None:
    """`dont_know: {code, label}`: an integer code no typed answer can take (outside min/max)."""
    where = join(path, "dont_know")
    mapping = reader.mapping(node, where, "{code: 98, label: {fr: …, en: …}}")
    if mapping is None:
        return None
    sub = reader.fields(mapping, where, ("code", "label"), ("code", "label"))
    code = reader.integer(sub["code"], join(where, "code"), "code") if "code" in sub else None
    label = reader.text(sub.get("label"), join(where, "label")) if "label" in sub else None
    if code is None or label is None:
        return None
    if not ((high is not None and code > high) or (low is not None and code < low)):
        message = (
            f"dont_know code {code} could also be typed as an answer: choose a code below "
            "min or above max (for example min: 0 with code -99, or max: 90 with code 98)"
        )
        reader.error(sub["code"], join(where, "code"), message, "range")
        return None
    return DontKnow(code, label)


@dataclass(frozen=True, slots=True)
class DecimalType(IntegerType):
    """A number with at most `decimals` decimal places; "4,5" and "4.5" are both accepted."""

    name: ClassVar[str] = "decimal"
    keys: ClassVar[frozenset[str]] = frozenset({"min", "max", "decimals", "dont_know"})
    decimals: int = 2

    @classmethod
    def _extra(cls, reader: Reader, fields: dict[str, YNode], path: str) -> dict[str, Any]:
        if "decimals" not in fields:
            return {}
        decimals = reader.integer(fields["decimals"], join(path, "decimals"), "decimals", 0)
        return {"decimals": decimals if decimals is not None else 2}

    def convert(self, raw: str) -> tuple[int | float | None, str | None, dict[str, Any]]:
        match = DECIMAL.match(raw)
        if not match:
            return None, "not_a_number", {}
        if match.group(1) and len(match.group(1)) > self.decimals:
            return None, "too_many_decimals", {"decimals": self.decimals}
        return float(raw.replace(",", ".")), None, {}


@dataclass(frozen=True, slots=True)
class NpsType(IntegerType):
    """Net promoter score: a whole number from 0 to 10, with optional end labels."""

    name: ClassVar[str] = "nps"
    keys: ClassVar[frozenset[str]] = frozenset({"anchors"})
    min: int | float | None = 0
    max: int | float | None = 10
    anchors: tuple[Text, Text] | None = None

    @classmethod
    def from_yaml(cls, reader: Reader, fields: dict[str, YNode], path: str) -> QuestionType:
        node = fields.get("anchors")
        if node is None:
            return cls()
        mapping = reader.mapping(node, join(path, "anchors"), "{low: text, high: text}")
        if mapping is None:
            return cls()
        sub = reader.fields(mapping, join(path, "anchors"), ("low", "high"), ("low", "high"))
        low, high = (reader.text(sub.get(k), join(path, f"anchors.{k}")) for k in ("low", "high"))
        return cls(anchors=(low, high) if low is not None and high is not None else None)

    @property
    def widget(self) -> str:
        return "nps"


@dataclass(frozen=True, slots=True)
class TextType(QuestionType):
    """Free text, NFC-normalised, at most `max_length` characters (hard limit 10000)."""

    name: ClassVar[str] = "text"
    keys: ClassVar[frozenset[str]] = frozenset({"max_length", "multiline", "pattern"})
    default_required: ClassVar[bool] = False
    max_length: int = 1000
    multiline: bool = False
    pattern: str | None = None  # RE2 syntax, searched in the answer (anchor it with ^ and $)

    @classmethod
    def from_yaml(cls, reader: Reader, fields: dict[str, YNode], path: str) -> QuestionType:
        length = 1000
        if "max_length" in fields:
            read = reader.integer(fields["max_length"], join(path, "max_length"), "max_length", 1)
            if read is not None and read > MAX_TEXT_LENGTH:
                message = f"max_length is above the hard limit of {MAX_TEXT_LENGTH}"
                reader.error(fields["max_length"], join(path, "max_length"), message, "range")
            length = min(read or length, MAX_TEXT_LENGTH)
        multiline = False
        if "multiline" in fields:
            multiline = bool(reader.boolean(fields["multiline"], join(path, "multiline")))
        pattern = None
        if "pattern" in fields:
            pattern = reader.string(fields["pattern"], join(path, "pattern"), "pattern")
            problem = pattern_problem(pattern) if pattern is not None else None
            if problem is not None:
                reader.error(fields["pattern"], join(path, "pattern"), problem, "pattern")
                pattern = None
        return cls(length, multiline, pattern)

    @property
    def widget(self) -> str:
        return "textarea" if self.multiline else "text"

    def parse(
        self, q: Question, form: Mapping[str, Any], options: Sequence[Option], rows: Sequence[Row]
    ) -> Parsed:
        errors: list[FieldError] = []
        raw = single_value(form, q.id, errors)
        if errors:
            return {}, errors
        text, error = clean_text(raw or "", self.max_length)
        if error is not None:
            return {}, [FieldError(q.id, error, MappingProxyType({"max": self.max_length}))]
        if text is None:
            return self._missing(q, errors)
        if self.pattern is not None and compiled_pattern(self.pattern).search(text) is None:
            return {}, [FieldError(q.id, "pattern_mismatch")]
        return {q.id: text}, errors


MAX_PATTERN_LENGTH = 500


@lru_cache(maxsize=256)
def compiled_pattern(pattern: str) -> Any:  # an re2 pattern (re2 ships no types)
    """The pattern compiled by RE2, whose matching time is linear in the text: no pattern
    can make it backtrack (catastrophic patterns such as `^(a+)+$` are harmless)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = 8 << 20
    return re2.compile(pattern, options)


def pattern_problem(pattern: str) -> str | None:
    """Why a pattern cannot be used (None when it can)."""
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        return f"a pattern has 1 to {MAX_PATTERN_LENGTH} characters"
    try:
        compiled_pattern(pattern)
    except Exception as exc:  # noqa: BLE001 (re2 raises its own error type for any syntax)
        detail = str(exc.args[0] if exc.args else exc).strip("b'\"")
        return (
            f"pattern '{pattern}' is not a regular expression RE2 accepts ({detail}); "
            "back-references and look-arounds are not available"
        )
    return None


@dataclass(frozen=True, slots=True)
class Contact:
    """An e-mail kept apart from the answers, with copies of the codes of `with_`."""

    with_: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EmailType(QuestionType):
    """An e-mail address; with `contact`, stored in a separate contact list only."""

    name: ClassVar[str] = "email"
    keys: ClassVar[frozenset[str]] = frozenset({"contact"})
    default_required: ClassVar[bool] = False
    contact: Contact | None = None

    @classmethod
    def from_yaml(cls, reader: Reader, fields: dict[str, YNode], path: str) -> QuestionType:
        node = fields.get("contact")
        if node is None:
            return cls()
        mapping = reader.mapping(node, join(path, "contact"), "{with: [question ids]}")
        if mapping is None:
            return cls(Contact())
        sub = reader.fields(mapping, join(path, "contact"), ("with",))
        ids: list[str] = []
        if "with" in sub:
            seq = reader.sequence(sub["with"], join(path, "contact.with"))
            for i, item in enumerate(seq.items if seq else ()):
                ident = reader.identifier(item, join(path, f"contact.with[{i}]"), "question id")
                if ident:
                    ids.append(ident)
        return cls(Contact(tuple(ids)))

    def parse(
        self, q: Question, form: Mapping[str, Any], options: Sequence[Option], rows: Sequence[Row]
    ) -> Parsed:
        errors: list[FieldError] = []
        raw = single_value(form, q.id, errors)
        if errors:
            return {}, errors
        text, error = clean_text(raw or "", EMAIL_MAX_LENGTH)
        if error is not None or (text is not None and not valid_email(text)):
            return {}, [FieldError(q.id, "invalid_email")]
        if text is None:
            return self._missing(q, errors)
        return {q.id: text}, errors

    def columns(self, q: Question) -> list[Column]:
        if self.contact is not None:
            return []
        return [Column(q.export_name, q.id, "email", q.text, personal=True)]


@dataclass(frozen=True, slots=True)
class ConsentType(QuestionType):
    """A box that must be ticked (posted and stored as "1")."""

    name: ClassVar[str] = "consent"
    keys: ClassVar[frozenset[str]] = frozenset({"consent_version"})
    value_kind: ClassVar[str] = "consent"
    consent_version: str = "1"

    @classmethod
    def from_yaml(cls, reader: Reader, fields: dict[str, YNode], path: str) -> QuestionType:
        node = fields.get("consent_version")
        if node is None:
            return cls()
        version = reader.string(node, join(path, "consent_version"), "consent_version")
        return cls(version or "1")

    @property
    def widget(self) -> str:
        return "checkbox"

    def parse(
        self, q: Question, form: Mapping[str, Any], options: Sequence[Option], rows: Sequence[Row]
    ) -> Parsed:
        errors: list[FieldError] = []
        raw = single_value(form, q.id, errors)
        if errors:
            return {}, errors
        if raw is None or raw.strip() != "1":
            return {}, [FieldError(q.id, "consent_required")]
        return {q.id: "1"}, errors


@dataclass(frozen=True, slots=True)
class NoteType(QuestionType):
    """Display-only text."""

    name: ClassVar[str] = "note"
    value_kind: ClassVar[str] = "note"
    default_required: ClassVar[bool] = False
    takes_answer: ClassVar[bool] = False

    def columns(self, q: Question) -> list[Column]:
        return []
