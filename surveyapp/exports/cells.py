"""CSV cell encoding: neutralise spreadsheet formulas in text cells, keep numbers numbers.

Rule (OWASP "CSV Injection", RELIABILITY.md X-1..X-4): a *text* cell whose first character is
one of = + - @ TAB CR LF or their full-width forms gets a leading single quote; then the writer
applies RFC 4180 quoting. Numeric cells (codes, counts, numbers, timestamps) are never prefixed,
so -5 stays minus five.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def neutralise(text: str) -> str:
    """Prefix a formula-like text cell with a single quote (OWASP)."""
    if text and text[0] in TRIGGERS:
        return "'" + text
    return text


def clean_text(text: str) -> str:
    """Drop NUL characters, which no spreadsheet or CSV reader handles."""
    return text.replace("\x00", "")


@dataclass(frozen=True, slots=True)
class Preset:
    """How a CSV is written for a given audience."""

    name: str
    delimiter: str
    bom: bool
    decimal_comma: bool
    neutralise: bool
    description: str


PRESETS = {
    "excel": Preset(
        "excel",
        ",",
        True,
        False,
        True,
        "UTF-8 with BOM, comma-separated; formula-like text cells prefixed with '",
    ),
    "excel-fr": Preset(
        "excel-fr",
        ";",
        True,
        True,
        True,
        "UTF-8 with BOM, semicolon-separated, decimal commas (French Excel); "
        "formula-like text cells prefixed with '",
    ),
    "plain": Preset(
        "plain",
        ",",
        False,
        False,
        False,
        "RFC 4180 UTF-8 without BOM for R and pandas; text cells written verbatim, "
        "NOT neutralised: do not open this file in a spreadsheet",
    ),
}
DEFAULT_PRESET = "excel"


def encode_cell(value: object, preset: Preset) -> str:
    """One cell's text: numbers as numbers, text neutralised when the preset asks for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        text = repr(value) if value != int(value) else str(int(value))
        return text.replace(".", ",") if preset.decimal_comma else text
    text = clean_text(str(value))
    return neutralise(text) if preset.neutralise else text


class CsvWriter:
    """Turns rows of Python values into CSV text chunks for streaming."""

    def __init__(self, preset: Preset) -> None:
        self.preset = preset
        self._buffer = io.StringIO()
        self._writer = csv.writer(
            self._buffer,
            delimiter=preset.delimiter,
            lineterminator="\r\n",
            quoting=csv.QUOTE_MINIMAL,
        )

    def start(self) -> str:
        """The byte-order mark, when the preset has one."""
        return "\ufeff" if self.preset.bom else ""

    def rows(self, rows: Iterable[Sequence[object]]) -> str:
        """Encode several rows into one chunk."""
        encode = encode_cell
        preset = self.preset
        self._writer.writerows([encode(v, preset) for v in row] for row in rows)
        return self._take()

    def raw_rows(self, rows: Iterable[Sequence[object]]) -> str:
        """Write rows whose cells are already encoded for this preset (by `RowBuilder`):
        text neutralised, decimal commas applied; None, int and float are written as is."""
        self._writer.writerows(rows)
        return self._take()

    def _take(self) -> str:
        chunk = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return chunk
