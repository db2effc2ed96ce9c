"""The building blocks of export rows: targets, records, the codec and small cell producers.

`rows.RowBuilder` assembles them; see its module for the missing-data rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from surveyapp.exports.cells import Preset, clean_text, neutralise
from surveyapp.exports.columns import NOT_ANSWERED, ExportColumn

#: Sentinel of an answer key that is absent from the document ("not asked").
ABSENT = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()
Part = Callable[[Mapping[str, Any]], Sequence[Any]]


@dataclass(frozen=True, slots=True)
class Target:
    """What the cells are for: CSV text (preset, codes or labels) or typed values (SPSS)."""

    kind: str = "csv"
    preset: Preset | None = None
    #: None: option codes; "fr" / "en": labels in that language (CSV only).
    labels: str | None = None

    @property
    def typed(self) -> bool:
        """Plain Python values rather than CSV-ready cells."""
        return self.kind == "typed"


class Record(NamedTuple):
    """The fields of one response that an export reads (timestamps already ISO 8601 UTC)."""

    id: int
    status: str
    ending: str | None
    language: str
    version: int
    params: Mapping[str, Any]
    started_at: str | None
    completed_at: str | None
    duration: int | None
    is_test: bool
    answers: Mapping[str, Any]


def iso_utc(moment: datetime | None) -> str | None:
    """`2015-07-02T10:11:12Z` (UTC, whole seconds) from an aware or naive-UTC datetime."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def make_record(
    id: int,  # noqa: A002 - the response's id
    answers: Mapping[str, Any],
    *,
    status: str = "complete",
    ending: str | None = "end_complete",
    language: str = "fr",
    version: int = 1,
    params: Mapping[str, Any] | None = None,
    started_at: datetime | None = None,
    completed_at: datetime | None = None,
    is_test: bool = False,
) -> Record:
    """A record from Python values (tests, and callers without the SQL fast path)."""
    duration = None
    if started_at is not None and completed_at is not None:
        duration = round((completed_at - started_at).total_seconds())
    return Record(
        id,
        status,
        ending,
        language,
        version,
        params or {},
        iso_utc(started_at),
        iso_utc(completed_at),
        duration,
        is_test,
        answers,
    )


def meta_getter(col: ExportColumn, codec: Codec) -> Callable[[Record], Any]:
    """How one metadata cell is read from a response record."""
    simple: dict[str, Callable[[Record], Any]] = {
        "id": lambda r: r.id,
        "status": lambda r: r.status,
        "ending": lambda r: r.ending,
        "ending_detail": lambda r: r.ending,
        "language": lambda r: r.language,
        "version": lambda r: r.version,
        "duration": lambda r: r.duration,
        "test": lambda r: 1 if r.is_test else 0,
    }
    if codec.target.typed:
        simple["started_at"] = lambda r: _parse_iso(r.started_at)
        simple["completed_at"] = lambda r: _parse_iso(r.completed_at)
        simple["completed_date"] = lambda r: _parse_day(r.completed_at)
    else:
        simple["started_at"] = lambda r: r.started_at
        simple["completed_at"] = lambda r: r.completed_at
        simple["completed_date"] = lambda r: r.completed_at[:10] if r.completed_at else None
    if col.kind in simple:
        return simple[col.kind]
    key = col.source or col.name
    if col.kind == "param_single":
        mapping = CodeMap(codec.code_map(col), codec.unknown_code(col))

        def param_code(record: Record) -> Any:
            value = record.params.get(key)
            return None if value is None else mapping.cell(str(value))

        return param_code

    def param_text(record: Record) -> Any:
        value = record.params.get(key)
        return None if value is None else codec.text(str(value))

    return param_text


def _parse_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.rstrip("Z"))


def _parse_day(text: str | None) -> datetime | None:
    """The UTC day of an ISO 8601 time, as midnight (SPSS dates are times of day 0:00)."""
    return None if text is None else datetime.fromisoformat(text[:10])


def straight_flag(value: Any) -> int | None:
    """1 when every answered row of a grid has the same code (at least two rows answered)."""
    if not isinstance(value, dict):
        return None
    codes = [c for c in value.values() if c is not None]
    if len(codes) < 2:
        return None
    return 1 if len(set(codes)) == 1 else 0


def constant(cells: list[Any]) -> Part:
    return lambda env: cells


def text_part(key: str, codec: Codec, derived: bool = False) -> Part:
    text = codec.text
    blank = None if derived else codec.blank_text

    def free_text(env: Mapping[str, Any]) -> Sequence[Any]:
        value = env.get(key, ABSENT)
        if value is ABSENT:
            return (None,)
        if value is None or value == "":
            return (blank,)
        return (text(value if isinstance(value, str) else str(value)),)

    free_text.fast = ("text", key, text, blank)  # type: ignore[attr-defined]  # fastpath.py reads it
    return free_text


def number_part(key: str, codec: Codec, derived: bool = False) -> Part:
    number = codec.number
    blank = None if derived else codec.missing

    def numeric(env: Mapping[str, Any]) -> Sequence[Any]:
        value = env.get(key, ABSENT)
        if value is ABSENT:
            return (None,)
        if value is None:
            return (blank,)
        return (number(value),)

    numeric.fast = ("number", key, number, blank)  # type: ignore[attr-defined]  # fastpath.py reads it
    return numeric


def date_part(key: str, codec: Codec) -> Part:
    """A date question for SPSS: the day as midnight (a DATE variable), -99 when shown but not
    answered; a value that is not an ISO date (never stored by the engine) is system-missing."""
    missing = codec.missing

    def day(env: Mapping[str, Any]) -> Sequence[Any]:
        value = env.get(key, ABSENT)
        if value is ABSENT:
            return (None,)
        if value is None:
            return (missing,)
        try:
            return (datetime.fromisoformat(str(value)[:10]),)
        except ValueError:
            return (None,)

    return day


def order_part(key: str) -> Part:
    def order(env: Mapping[str, Any]) -> Sequence[Any]:
        value = env.get(key)
        if not isinstance(value, list):
            return (None,)
        return (" ".join(str(code) for code in value),)

    order.fast = ("order", key)  # type: ignore[attr-defined]  # fastpath.py reads it
    return order


class CodeMap(dict):
    """Code -> cell; a value that is not a known code goes through the fallback (made safe)."""

    __slots__ = ("fallback",)

    def __init__(self, cells: Mapping[Any, Any], fallback: Callable[[Any], Any]) -> None:
        super().__init__(cells)
        self.fallback = fallback

    def __missing__(self, value: Any) -> Any:
        return self.fallback(value)

    def cell(self, value: Any) -> Any:
        """The cell of any value, hashable or not."""
        try:
            return self[value]
        except TypeError:
            return self.fallback(value)


class Codec:
    """How values become cells for a target."""

    def __init__(self, target: Target) -> None:
        self.target = target
        preset = target.preset
        self.neutralise = bool(preset and preset.neutralise) and not target.typed
        self.decimal_comma = bool(preset and preset.decimal_comma) and not target.typed
        self.blank_text = str(NOT_ANSWERED)
        #: 0/1 and -99 as text for CSV (the writer then has nothing to convert), numbers else.
        self.on: Any = 1 if target.typed else "1"
        self.off: Any = 0 if target.typed else "0"
        self.missing: Any = NOT_ANSWERED if target.typed else str(NOT_ANSWERED)

    def text(self, value: str) -> str:
        """A free-text cell (neutralised in the spreadsheet presets)."""
        value = clean_text(value)
        return neutralise(value) if self.neutralise else value

    def number(self, value: Any) -> Any:
        """A number cell; anything that is not a number is treated as text."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.text(str(value))
        if isinstance(value, float) and not self.target.typed:
            text = _float_text(value)
            return text.replace(".", ",") if self.decimal_comma else text
        return value

    def code_map(self, col: ExportColumn) -> dict[Any, Any]:
        """Code -> cell for a column with value labels."""
        if self.target.typed:
            if col.numeric:
                return {code: int(code) for code in col.values if code.isdigit()}
            return {code: code for code in col.values}
        lang = self.target.labels
        if lang is None:
            return {code: code for code in col.values}
        return {code: self.text(labels.get(lang) or code) for code, labels in col.values.items()}

    def unknown_code(self, col: ExportColumn) -> Callable[[Any], Any]:
        """A value that is not one of the column's codes: kept, but made safe."""
        typed, numeric = self.target.typed, col.numeric

        def unknown(value: Any) -> Any:
            if typed and numeric:
                return int(value) if isinstance(value, str) and value.isdigit() else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return self.number(value)
            return self.text(value if isinstance(value, str) else _json_text(value))

        return unknown


def _float_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    return repr(value) if value != int(value) else str(int(value))


def _json_text(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)
