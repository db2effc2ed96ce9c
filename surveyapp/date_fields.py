"""A date typed as three fields (day, month, year) in the order a language writes dates.

A browser's `<input type="date">` shows the browser's own format (`mm/dd/yyyy` on a French page
in an English browser) and no two browsers agree on it. A page that asks for a date draws three
labelled number fields instead, in the order of the language's short date pattern in Babel's
data (`dd/MM/y`: day, month, year in French; `M/d/yy`: month, day, year in US English), and
writes a typed date back in that pattern (`31/02`, `2/31`). Used by the respondent pages (the
page's language) and the results filter (the admin's language).
"""

from __future__ import annotations

import datetime as dt
import re

from babel import Locale, UnknownLocaleError

from surveyapp.engine.dates import PARTS

_LETTERS = {"day": "d", "month": "M", "year": "y"}
_FIELD = re.compile(r"[0-9]{1,2}\Z")


def _pattern(lang: str) -> str:
    try:
        return Locale.parse(lang).date_formats["short"].pattern
    except (ValueError, UnknownLocaleError, KeyError):
        return "dd/MM/y"


def part_order(lang: str) -> tuple[str, ...]:
    """The parts in the order `lang` writes a short date (day, month, year by default)."""
    pattern = _pattern(lang)
    found = {part: pattern.find(letter) for part, letter in _LETTERS.items()}
    if any(position < 0 for position in found.values()):
        return PARTS
    return tuple(sorted(PARTS, key=lambda part: found[part]))


def _separator(pattern: str) -> str:
    match = re.search(r"[dMy]+([^dMy']+)[dMy]", pattern)
    return match.group(1) if match else "/"


def short_text(lang: str, day: int, month: int, year: str | None = None) -> str:
    """A typed day and month (and year when given) as `lang` writes them: `31/02`, `2/31`,
    `29/02/2025`; the parts need not make a real date."""
    pattern = _pattern(lang)
    texts = {
        "day": f"{day:02d}" if "dd" in pattern else str(day),
        "month": f"{month:02d}" if "MM" in pattern else str(month),
        "year": year or "",
    }
    order = [part for part in part_order(lang) if texts[part]]
    return _separator(pattern).join(texts[part] for part in order)


def split_iso(text: str | None) -> dict[str, str]:
    """The day, month and year of an ISO date as a person types them (`3`, `2`, `2025`);
    empty when `text` is not one."""
    try:
        value = dt.date.fromisoformat(text.strip()) if text else None
    except ValueError:
        value = None
    if value is None:
        return {}
    return {"day": str(value.day), "month": str(value.month), "year": f"{value.year:04d}"}


def join_parts(day: str, month: str, year: str) -> str | None:
    """The ISO text of a real date typed as three fields, or None (a blank or wrong part)."""
    day, month, year = day.strip(), month.strip(), year.strip()
    if not (_FIELD.match(day) and _FIELD.match(month) and re.fullmatch("[0-9]{4}", year)):
        return None
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None
