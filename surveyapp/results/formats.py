"""The numbers of the results pages as text, formatted once per locale with Babel.

- percentages: one decimal in the locale's pattern: "42.3%" in English, "42,3 %" in French
  with a narrow no-break space (U+202F) before the sign, as issue #13 asks of every French
  percentage (Babel's French data has a U+00A0 there);
- counts: the locale's digit groups ("12,345"; "12 345" with U+202F in French);
- decimals (effective bases, means, scores): a fixed number of decimals, the locale's sign.

A page's tables hold a few thousand numbers and Babel takes about 50 µs for each, so they are
formatted when the figures are computed (`prepare`, in the request or the refresh job) and kept
with them in the shared cache: a request renders them with dictionary look-ups. A number the
prepared texts lack (a locale added later, a figure only the view computes) is formatted on
the spot and remembered for the rest of the request.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

if TYPE_CHECKING:
    from surveyapp.results.report import Report
    from surveyapp.results.tables import Table

NNBSP = "\u202f"
DASH = "—"
Key = tuple[str, int, float]


@lru_cache(maxsize=32)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@lru_cache(maxsize=64)
def _pattern(name: str, kind: str, decimals: int) -> NumberPattern:
    """The Babel pattern of `kind` (`pct`, `int`, `dec`, `plain`: no digit groups) with
    `decimals` decimals."""
    locale = _locale(name)
    fraction = "." + "0" * decimals if decimals else ""
    if kind == "pct":
        text = locale.percent_formats[None].pattern
        if locale.language == "fr":  # "42,3 %": U+202F, never a breakable or a wide space
            text = text.replace("\u00a0%", NNBSP + "%").replace(" %", NNBSP + "%")
        return parse_pattern(text.replace("#,##0", "#,##0" + fraction, 1))
    return parse_pattern(("0" if kind == "plain" else "#,##0") + fraction)


def percent_pattern(name: str, decimals: int) -> str:
    """The locale's percent pattern with `decimals` decimals (French: U+202F before %)."""
    return str(_pattern(name, "pct", decimals).pattern)


class Numbers:
    """The numbers of one page in one locale; `texts` are those prepared with the figures."""

    __slots__ = ("locale", "texts")

    def __init__(self, locale: str, texts: dict[Key, str] | None = None) -> None:
        self.locale = locale
        self.texts: dict[Key, str] = texts if texts is not None else {}

    def _text(self, kind: str, decimals: int, value: float) -> str:
        key = (kind, decimals, value)
        found = self.texts.get(key)
        if found is None:
            found = self.texts[key] = _pattern(self.locale, kind, decimals).apply(
                value, _locale(self.locale)
            )
        return found

    def pct(self, value: float | None, decimals: int = 1) -> str:
        """A proportion (0–1) as a percentage; a dash when there is none."""
        if value is None or math.isnan(value):
            return DASH
        return self._text("pct", decimals, value)

    def n(self, value: float | None) -> str:
        """A count with the locale's digit groups."""
        if value is None or math.isnan(value):
            return DASH
        return self._text("int", 0, round(value))

    def dec(self, value: float | None, decimals: int) -> str:
        """A number with `decimals` decimals."""
        if value is None or math.isnan(value):
            return DASH
        return self._text("dec", decimals, round(value, decimals))

    def plain(self, value: float, decimals: int) -> str:
        """A statistic in running text: `decimals` decimals, no digit groups (`3,14`)."""
        if math.isnan(value):
            return DASH
        return self._text("plain", decimals, round(value, decimals))


def _tables(tables: Iterable[Table]) -> Iterator[Table]:
    for table in tables:
        yield table
        yield from _tables(table.children)


def prepare(report: Report, locales: Iterable[str]) -> dict[str, dict[Key, str]]:
    """The text of every number the results page shows of `report`, per locale."""
    out = {}
    for name in locales:
        numbers = Numbers(name)
        numbers.n(report.respondents)
        for table in _tables(report.tables):
            if table.test is not None:
                numbers.plain(table.test.statistic, 2)
                numbers.plain(table.test.p, 4)
            for base in (*table.bases, *(table.asked or ())):
                numbers.n(base.n)
                numbers.dec(base.effective, 1)
            for row in table.rows:
                for base in row.bases or ():
                    numbers.n(base.n)
                for cell in row.cells:
                    if row.kind in ("stat", "score"):
                        numbers.dec(cell.count, 1 if row.kind == "score" else 2)
                    else:
                        numbers.pct(cell.pct)
                        numbers.n(cell.n)
        out[name] = numbers.texts
    return out
