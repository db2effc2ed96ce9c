"""Date questions: an ISO date (YYYY-MM-DD), between bounds that may be relative to today.

A page posts a date as three fields, `<id>.day`, `<id>.month` and `<id>.year` (the page draws
them in its language's order); a client may also post the ISO text as `<id>`. Each mistake
has its own message: a missing part, letters, a two-digit year, month 13, a day the month
does not have (`date_not_real`, with the parts typed, which the web layer writes as `31/02`).

`min` / `max` are an ISO date (`'1900-01-01'`) or `today`, optionally shifted by whole days,
months or years (`today-18y`, `today+30d`). Relative bounds are resolved when the page is
submitted. The value stored (and exported) is the ISO text of the date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from .messages import FieldError
from .model import Option, Question, Row
from .question_base import Parsed, QuestionType, form_values, single_value
from .reader import Reader

if TYPE_CHECKING:
    from .yamlsource import YNode

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
RELATIVE = re.compile(r"today(?:\s*([+-])\s*([0-9]{1,4})\s*([dmy]))?\Z")
#: The fields a page posts for a date question: `<id>.day`, `<id>.month`, `<id>.year`.
PARTS = ("day", "month", "year")
_DAY_OR_MONTH = re.compile(r"[0-9]{1,2}\Z")
_YEAR = re.compile(r"[0-9]{4}\Z")
_DIGITS = re.compile(r"[0-9]+\Z")


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def resolve_bound(bound: str, today: dt.date) -> dt.date:
    """The date a bound names on a given day (the bound was checked at load)."""
    match = RELATIVE.match(bound)
    if match is None:
        return dt.date.fromisoformat(bound)
    sign, amount, unit = match.groups()
    if sign is None:
        return today
    n = int(amount) * (1 if sign == "+" else -1)
    if unit == "d":
        return today + dt.timedelta(days=n)
    months = today.year * 12 + today.month - 1 + (n if unit == "m" else 12 * n)
    year, month = divmod(months, 12)
    day = today.day
    while True:  # 29 February minus a year is 28 February
        try:
            return dt.date(year, month + 1, day)
        except ValueError:
            day -= 1


def _bound(reader: Reader, node: YNode, path: str, key: str) -> str | None:
    text = reader.string(node, path, key)
    if text is None:
        return None
    text = text.strip()
    valid = RELATIVE.match(text) is not None
    if not valid and ISO_DATE.match(text):
        try:
            dt.date.fromisoformat(text)
            valid = True
        except ValueError:
            valid = False
    if not valid:
        message = f"{key} must be a date ('2025-01-31') or today, today-18y, today+30d"
        reader.error(node, path, message, "type")
        return None
    return text


@dataclass(frozen=True, slots=True)
class DateType(QuestionType):
    """A calendar date, optionally between `min` and `max`."""

    name: ClassVar[str] = "date"
    keys: ClassVar[frozenset[str]] = frozenset({"min", "max"})
    value_kind: ClassVar[str] = "text"  # conditions test whether it is answered
    parts: ClassVar[tuple[str, ...]] = PARTS
    min: str | None = None
    max: str | None = None

    @classmethod
    def from_yaml(cls, reader: Reader, fields: dict[str, YNode], path: str) -> QuestionType:
        low, high = (
            _bound(reader, fields[k], join(path, k), k) if k in fields else None
            for k in ("min", "max")
        )
        return cls(low, high)

    @property
    def widget(self) -> str:
        return "date"

    def parse(
        self,
        q: Question,
        form: Mapping[str, Any],
        options: Sequence[Option],
        rows: Sequence[Row],
        today: dt.date | None = None,
    ) -> Parsed:
        names = [f"{q.id}.{part}" for part in PARTS]
        if any(form_values(form, name) for name in names):
            value, error = from_parts(q.id, [form_values(form, name) for name in names])
        else:
            errors: list[FieldError] = []
            raw = single_value(form, q.id, errors)
            if errors:
                return {}, errors
            if raw is None:
                return self._missing(q, errors)
            value, error = _from_iso(q.id, raw.strip())
        if error is not None:
            return {}, [error]
        if value is None:
            return self._missing(q, [])
        today = today or dt.date.today()
        for key, code, wrong in (("min", "date_too_early", -1), ("max", "date_too_late", 1)):
            bound = getattr(self, key)
            if bound is None:
                continue
            limit = resolve_bound(bound, today)
            if (value > limit) - (value < limit) == wrong:
                params: dict[str, Any] = {key: limit.isoformat()}
                return {}, [FieldError(q.id, code, MappingProxyType(params))]
        return {q.id: value.isoformat()}, []


Checked = tuple[dt.date | None, FieldError | None]


def _from_iso(qid: str, text: str) -> Checked:
    try:
        value = dt.date.fromisoformat(text) if ISO_DATE.match(text) else None
    except ValueError:
        value = None
    return (value, None) if value is not None else (None, FieldError(qid, "not_a_date"))


def from_parts(qid: str, posted: list[list[str]]) -> Checked:
    """The date of the day, month and year fields (None when all are blank), or what is wrong
    with them, in the order a person would fix it."""
    if any(len(values) > 1 for values in posted):
        return None, FieldError(qid, "repeated")
    day, month, year = (values[0].strip() if values else "" for values in posted)
    blank = [part for part, text in zip(PARTS, (day, month, year), strict=True) if not text]
    if len(blank) == len(PARTS):
        return None, None
    if len(blank) == 1:
        return None, FieldError(qid, f"date_no_{blank[0]}")
    if blank:
        return None, FieldError(qid, "date_incomplete")
    if not (_DAY_OR_MONTH.match(day) and _DAY_OR_MONTH.match(month) and _DIGITS.match(year)):
        return None, FieldError(qid, "date_not_numbers")
    if not _YEAR.match(year) or int(year) < 1000:
        return None, FieldError(qid, "date_year_digits")
    if not 1 <= int(month) <= 12:
        return None, FieldError(qid, "date_bad_month", MappingProxyType({"month": month}))
    try:
        return dt.date(int(year), int(month), int(day)), None
    except ValueError:
        typed = {"day": str(int(day)), "month": str(int(month)), "year": year}
        return None, FieldError(qid, "date_not_real", MappingProxyType(typed))
