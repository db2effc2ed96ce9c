"""SPSS .sav files (pyreadstat): variable labels, value labels, declared missing values.

Numeric variables: option codes that are all integers, numbers, 0/1 flags, durations.
"Not asked" is system-missing; "shown, not answered" is -99, declared user-missing and
labelled. String variables: option codes that are identifiers, free text, the order shown;
"not asked" is an empty string and "shown, not answered" is "-99", declared user-missing.
Timestamps are SPSS DATETIME variables (UTC); date questions are SPSS DATE variables
(SDATE10), with -99 as their declared "shown, not answered" value. Labels are in one
language (`lang`).

pyreadstat writes a whole DataFrame at once, so the values are gathered in memory (column by
column, as compact arrays) before the file is written: unlike the CSV, the SPSS export's
memory grows with the number of responses (about 8 bytes per numeric cell).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from surveyapp.exports.columns import NOT_ANSWERED, ExportColumn

#: SPSS reserved words cannot be variable names.
RESERVED = frozenset(
    {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
)
MISSING_LABEL = {"fr": "Affichée, sans réponse", "en": "Shown, not answered"}
#: Byte limits of the .sav format.
MAX_LABEL_BYTES = 255
MAX_VALUE_LABEL_BYTES = 120
MAX_STRING_BYTES = 32767
NAN = float("nan")
#: SPSS counts time in seconds from 1582-10-14 00:00; POSIX time from 1970-01-01.
SPSS_EPOCH = 12_219_379_200


#: The file's notes (DISPLAY DOCUMENTS), in the language of the labels; a .sav document
#: line holds at most 80 bytes.
NOTES = {
    "fr": (
        "{slug} : {rows} réponses, exportées le {moment:%Y-%m-%d à %H:%M} UTC",
        "Données manquantes : valeur manquante système = non posée ;",
        "-99 = affichée, sans réponse (valeur manquante déclarée).",
    ),
    "en": (
        "{slug}: {rows} responses, exported {moment:%Y-%m-%d %H:%M} UTC",
        "Missing: system-missing = not asked; -99 = shown, not answered (user-missing).",
    ),
}
NOTE_BYTES = 80
#: Kinds whose numeric values are whole numbers (SPSS format Fw.0).
INTEGER_KINDS = frozenset(
    {
        "single",
        "matrix_row",
        "derived_single",
        "param_single",
        "consent",
        "flag",
        "test",
        "quality",
        "id",
        "version",
        "duration",
        "integer",
        "nps",
    }
)


def sav_notes(slug: str, rows: int, moment: datetime, lang: str) -> list[str]:
    """The file's notes in `lang` (English for a language without a translation)."""
    first, *rest = NOTES.get(lang, NOTES["en"])
    lines = [first.format(slug=slug, rows=rows, moment=moment), *rest]
    return [_clip(line, NOTE_BYTES) for line in lines]


def spss_name(name: str) -> str:
    """A valid SPSS variable name for a column (schema ids are already valid but for these)."""
    out = name[:64]
    if out.lower() in RESERVED:
        out += "_"
    return out


#: What SPSS (and readstat) accept as a variable name: a letter first, then letters, digits
#: and . _ @ # $, never a final dot; at most 64 bytes; not a reserved word.
SPSS_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._@#$]*\Z")
MAX_NAME_BYTES = 64


def valid_spss_name(name: str) -> bool:
    """Whether SPSS takes this name as it is (`d4.3` yes; `Q-1`, `_x`, `a.` no)."""
    return (
        bool(SPSS_NAME.match(name))
        and not name.endswith(".")
        and len(name.encode("utf-8")) <= MAX_NAME_BYTES
        and name.lower() not in RESERVED
    )


def column_spss_name(col: ExportColumn) -> str:
    """The SPSS name of a column: the author's name when SPSS takes it, else the name made of
    ids (`Q-1` -> `q_1`); the codebook says which."""
    if col.id_name is not None and not valid_spss_name(col.name):
        return spss_name(col.id_name)
    return spss_name(col.name)


def spss_names(layout: Sequence[ExportColumn]) -> list[str]:
    """Every column's SPSS name, unique ignoring case as SPSS wants (a rare clash between an
    author's name and another column's id-made name gets `_2`, `_3`…)."""
    taken: set[str] = set()
    names = []
    for col in layout:
        name = base = column_spss_name(col)
        n = 2
        while name.lower() in taken:
            suffix = f"_{n}"
            name, n = base[: MAX_NAME_BYTES - len(suffix)] + suffix, n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def _clip(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


#: SPSS formats of the time columns: DATETIME for timestamps, an ISO-like date for days.
TIME_FORMATS = {
    "started_at": "DATETIME20",
    "completed_at": "DATETIME20",
    "completed_date": "SDATE10",
    "date": "SDATE10",  # date questions: yyyy/mm/dd in SPSS, read back as dates
}


def _is_string(col: ExportColumn) -> bool:
    return col.kind not in TIME_FORMATS and not col.numeric


def _is_datetime(col: ExportColumn) -> bool:
    return col.kind in TIME_FORMATS


def _declares_missing(col: ExportColumn) -> bool:
    return col.section == "answer"


class SavBuilder:
    """Gathers typed rows column by column, then writes the .sav file."""

    def __init__(self, layout: Sequence[ExportColumn], lang: str) -> None:
        self.layout = list(layout)
        self.lang = lang
        self.names = spss_names(self.layout)
        #: Numbers and timestamps (SPSS seconds) as compact arrays; strings as lists whose
        #: repeated values share one object.
        self._columns: list[Any] = [[] if _is_string(c) else array("d") for c in self.layout]
        self._shared: list[dict[str, str]] = [{} for _ in self.layout]
        self.count = 0

    def add_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        """Append typed rows (RowBuilder with the "typed" target)."""
        columns, shared = self._columns, self._shared
        kinds = [(_is_string(c), _is_datetime(c)) for c in self.layout]
        for row in rows:
            self.count += 1
            for i, value in enumerate(row):
                is_string, is_datetime = kinds[i]
                if is_string:
                    text = "" if value is None else _clip(str(value), MAX_STRING_BYTES)
                    columns[i].append(shared[i].setdefault(text, text))
                elif value is None:
                    columns[i].append(NAN)
                elif is_datetime and isinstance(value, datetime):
                    columns[i].append(value.replace(tzinfo=UTC).timestamp() + SPSS_EPOCH)
                else:
                    columns[i].append(float(value))

    def frame(self):
        """The pandas DataFrame of the gathered values (numeric columns are not copied)."""
        import numpy as np
        import pandas as pd

        data = {}
        for name, col, values in zip(self.names, self.layout, self._columns, strict=True):
            if _is_string(col):
                data[name] = pd.Series(values, dtype="object")
                continue
            data[name] = np.frombuffer(values, dtype=np.float64) if len(values) else np.array([])
        return pd.DataFrame(data, columns=self.names, copy=False)

    def metadata(self) -> dict[str, Any]:
        """Variable labels, value labels, user-missing values and measures for pyreadstat."""
        lang = self.lang
        labels: dict[str, str] = {}
        value_labels: dict[str, dict[Any, str]] = {}
        missing: dict[str, list[Any]] = {}
        measures: dict[str, str] = {}
        formats: dict[str, str] = {}
        for index, (name, col) in enumerate(zip(self.names, self.layout, strict=True)):
            labels[name] = _clip(col.title.get(lang) or col.name, MAX_LABEL_BYTES)
            string = _is_string(col)
            vl: dict[Any, str] = {}
            for code, text in col.values.items():
                key: Any = code if string else (int(code) if code.lstrip("-").isdigit() else None)
                if key is not None:
                    vl[key] = _clip(text.get(lang) or code, MAX_VALUE_LABEL_BYTES)
            if _declares_missing(col):
                key = str(NOT_ANSWERED) if string else NOT_ANSWERED
                missing[name] = [key]
                if col.extra.get("dont_know") is not None:  # "don't know": user-missing too
                    missing[name].append(col.extra["dont_know"])
                if col.values or not string:
                    vl[key] = MISSING_LABEL.get(lang, MISSING_LABEL["en"])
            if vl and not (string and col.kind in ("text", "other", "order")):
                value_labels[name] = vl
            measures[name] = _measure(col)
            if _is_datetime(col):
                # Numbers with a DATETIME format rather than datetime64 columns: pyreadstat
                # copies the whole table to convert datetime64 columns.
                formats[name] = TIME_FORMATS[col.kind]
            elif not string and (
                col.kind in INTEGER_KINDS or (col.kind == "derived_number" and self._whole(index))
            ):
                formats[name] = f"F{self._width(index, vl)}.0"
        return {
            "column_labels": labels,
            "variable_value_labels": value_labels,
            "missing_ranges": missing,
            "variable_measure": measures,
            "variable_format": formats,
        }

    def _whole(self, index: int) -> bool:
        """Whether every value of a numeric column is a whole number (counts, sums)."""
        import numpy as np

        data = np.frombuffer(self._columns[index], dtype=np.float64)
        finite = data[~np.isnan(data)]
        return bool(np.all(finite == np.round(finite)))

    def _width(self, index: int, labelled: dict[Any, str]) -> int:
        """Characters of the widest value of a whole-number column: its codes and its data.

        At least 2 (`F2.0` for a code column); the declared missing code -99 widens the format
        only when it occurs, so that SPSS never prints it as asterisks.
        """
        import numpy as np

        keys = [abs(k) for k in labelled if isinstance(k, int) and k != NOT_ANSWERED]
        widest = max([2, *(len(str(k)) for k in keys)])
        values = self._columns[index]
        if len(values):
            data = np.frombuffer(values, dtype=np.float64)
            if not np.isnan(data).all():
                low, high = int(np.nanmin(data)), int(np.nanmax(data))
                widest = max(widest, len(str(low)), len(str(high)))
        return widest

    def write(self, path: str | Path, file_label: str = "", notes: Sequence[str] = ()) -> int:
        """Write the .sav file; returns the number of cases."""
        import pyreadstat

        pyreadstat.write_sav(
            self.frame(),
            str(path),
            file_label=_clip(file_label, 64),
            note=list(notes) or None,
            **self.metadata(),
        )
        return self.count


def _measure(col: ExportColumn) -> str:
    if col.kind in ("integer", "decimal", "nps", "derived_number", "duration", "id", "version"):
        return "scale"
    if _is_datetime(col):
        return "scale"
    return "nominal"
