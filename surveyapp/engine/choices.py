"""Choice question types: single, multiple, matrix (codes among the options shown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from .messages import FieldError
from .model import Column, Option, Question, Row, Text
from .question_base import (
    OTHER_MAX_LENGTH,
    Parsed,
    QuestionType,
    Values,
    clean_text,
    form_values,
    single_value,
)
from .reader import Reader, join

if TYPE_CHECKING:
    from .yamlsource import YNode

CHOICE_KEYS = frozenset({"options", "order", "options_from"})


def _labels(options: Sequence[Option]) -> Mapping[str, Text]:
    return MappingProxyType({o.code: o.label for o in options})


def _choice_columns(q: Question, main: list[Column]) -> list[Column]:
    extra = []
    if q.other_option is not None:
        extra.append(Column(f"{q.export_name}_other", q.id, "other", q.text, personal=True))
    if q.random_order:
        extra.append(Column(f"{q.export_name}_order", q.id, "order", q.text))
    return main + extra


def _other_text(
    q: Question, form: Mapping[str, Any], values: Values, errors: list[FieldError]
) -> None:
    field = f"{q.id}_other"
    raw = single_value(form, field, errors)
    if any(e.field == field for e in errors):
        return
    text, error = clean_text(raw or "", OTHER_MAX_LENGTH)
    if error:
        errors.append(FieldError(field, error, MappingProxyType({"max": OTHER_MAX_LENGTH})))
    else:
        values[field] = text


@dataclass(frozen=True, slots=True)
class SingleType(QuestionType):
    """One code among the options shown."""

    name: ClassVar[str] = "single"
    keys: ClassVar[frozenset[str]] = CHOICE_KEYS | {"display", "autocode_single", "sets_language"}
    value_kind: ClassVar[str] = "code"
    has_options: ClassVar[bool] = True
    display: str = "radio"

    @classmethod
    def from_yaml(cls, reader: Reader, fields: dict[str, YNode], path: str) -> QuestionType:
        node = fields.get("display")
        display = reader.string(node, join(path, "display")) if node is not None else "radio"
        if display not in ("radio", "dropdown", None):
            reader.error(node, join(path, "display"), "display must be radio or dropdown", "value")
        return cls(display or "radio")

    @property
    def widget(self) -> str:
        return self.display

    def parse(
        self, q: Question, form: Mapping[str, Any], options: Sequence[Option], rows: Sequence[Row]
    ) -> Parsed:
        errors: list[FieldError] = []
        raw = single_value(form, q.id, errors)
        if errors:
            return {}, errors
        if raw is None:
            return self._missing(q, errors)
        chosen = next((o for o in options if o.code == raw.strip()), None)
        if chosen is None:
            return {}, [FieldError(q.id, "invalid_choice")]
        values: Values = {q.id: chosen.code}
        if chosen.other:
            _other_text(q, form, values, errors)
        return values, errors

    def columns(self, q: Question) -> list[Column]:
        main = Column(q.export_name, q.id, "single", q.text, _labels(q.options))
        return _choice_columns(q, [main])


@dataclass(frozen=True, slots=True)
class MultipleType(QuestionType):
    """Several codes among the options shown, between min and max."""

    name: ClassVar[str] = "multiple"
    keys: ClassVar[frozenset[str]] = CHOICE_KEYS | {"min", "max"}
    value_kind: ClassVar[str] = "set"
    has_options: ClassVar[bool] = True
    min: int | None = None
    max: int | None = None

    @classmethod
    def from_yaml(cls, reader: Reader, fields: dict[str, YNode], path: str) -> QuestionType:
        low, high = (
            reader.integer(fields[k], join(path, k), k, minimum=1) if k in fields else None
            for k in ("min", "max")
        )
        if low is not None and high is not None and low > high:
            reader.error(fields["min"], join(path, "min"), "min is greater than max", "range")
        return cls(low, high)

    @property
    def widget(self) -> str:
        return "checkbox"

    def minimum(self, q: Question) -> int:
        """Fewest codes accepted when answered (1 unless `min` says more)."""
        return self.min or 1

    def required_ticks(self, q: Question) -> int:
        return self.minimum(q) if q.required else 0

    def parse(
        self, q: Question, form: Mapping[str, Any], options: Sequence[Option], rows: Sequence[Row]
    ) -> Parsed:
        raw = [v.strip() for v in form_values(form, q.id)]
        raw = [v for v in raw if v]
        if len(set(raw)) != len(raw):
            return {}, [FieldError(q.id, "repeated")]
        by_code = {o.code: o for o in options}
        if any(v not in by_code for v in raw):
            return {}, [FieldError(q.id, "invalid_choice")]
        errors: list[FieldError] = []
        if not raw:
            return self._missing(q, errors)
        if len(raw) < self.minimum(q):
            errors.append(FieldError(q.id, "too_few", MappingProxyType({"min": self.minimum(q)})))
        if self.max is not None and len(raw) > self.max:
            errors.append(FieldError(q.id, "too_many", MappingProxyType({"max": self.max})))
        exclusive = [v for v in raw if by_code[v].exclusive]
        if exclusive and len(raw) > 1:
            errors.append(FieldError(q.id, "exclusive", MappingProxyType({"code": exclusive[0]})))
        if errors:
            return {}, errors
        chosen = [o for o in options if o.code in raw]
        values: Values = {q.id: [o.code for o in chosen]}
        if any(o.other for o in chosen):
            _other_text(q, form, values, errors)
        return values, errors

    def columns(self, q: Question) -> list[Column]:
        flags = [Column(_flag_name(q, o), q.id, "flag", o.label, code=o.code) for o in q.options]
        return _choice_columns(q, flags)


def _flag_name(q: Question, option: Option) -> str:
    """`<name>_<code>` (the question's and the option's `column` when they have one: `d4.3_A-1`);
    an "other, specify" option coded `other` (an XLSForm habit) is flagged
    in `<id>_other_choice`, since `<id>_other` is the text typed."""
    if option.other and str(option.code) == "other":
        return f"{q.export_name}_other_choice"
    return f"{q.export_name}_{option.column or option.code}"


@dataclass(frozen=True, slots=True)
class MatrixType(QuestionType):
    """One code of the scale per row shown; fields are posted as `<id>.<row>`."""

    name: ClassVar[str] = "matrix"
    keys: ClassVar[frozenset[str]] = frozenset({"rows", "scale", "row_order"})
    value_kind: ClassVar[str] = "matrix"
    has_rows: ClassVar[bool] = True

    def parse(
        self, q: Question, form: Mapping[str, Any], options: Sequence[Option], rows: Sequence[Row]
    ) -> Parsed:
        errors: list[FieldError] = []
        codes = {o.code for o in options}
        answer: dict[str, str] = {}
        for row in rows:
            field = f"{q.id}.{row.code}"
            raw = single_value(form, field, errors)
            if raw is None:
                if q.required and not any(e.field == field for e in errors):
                    errors.append(FieldError(field, "required"))
            elif raw.strip() not in codes:
                errors.append(FieldError(field, "invalid_choice"))
            else:
                answer[row.code] = raw.strip()
        return {q.id: answer or None}, errors

    def columns(self, q: Question) -> list[Column]:
        labels = _labels(q.options)
        cols = [
            Column(f"{q.export_name}_{r.code}", q.id, "matrix_row", r.text, labels, row=r.code)
            for r in q.rows
        ]
        if q.random_order:
            cols.append(Column(f"{q.export_name}_order", q.id, "order", q.text))
        return cols


def multiple_kind(q: Question) -> MultipleType:
    """The type of a multiple-choice question (its tick bounds: `minimum(q)`, `max`)."""
    if not isinstance(q.kind, MultipleType):
        raise TypeError(f"question '{q.id}' is a {q.type}, not a multiple choice")
    return q.kind
