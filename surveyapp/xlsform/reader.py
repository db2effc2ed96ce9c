"""Reading an XLSForm workbook with openpyxl: sheets, headers and located cell texts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .opening import Refused, open_workbook, sheet_rows
from .problems import Location, XlsProblem

SHEETS = ("survey", "choices", "settings", "surveyapp")
#: Prefix of the extension columns: surveyapp_when, surveyapp_personal…
EXTENSION = "surveyapp_"

#: Columns that may carry a language suffix.
TRANSLATED = frozenset(
    {"label", "hint", "guidance_hint", "constraint_message", "required_message", "media",
     "image", "audio", "video", "big-image"}
)  # fmt: skip
#: pyxform's nested spelling of XForms attributes: `bind:relevant` is the relevant column.
_BIND_HEADERS = {
    "bind:relevant": "relevant",
    "bind:constraint": "constraint",
    "bind:required": "required",
    "bind:calculate": "calculation",
    "bind:readonly": "read_only",
    "bind:jr:constraintmsg": "constraint_message",
    "bind:jr:requiredmsg": "required_message",
    "control:appearance": "appearance",
}
#: pyxform's friendlier spellings of column names.
ALIASES = {
    "caption": "label",
    "relevance": "relevant",
    "calculate": "calculation",
    "readonly": "read_only",
    "value": "name",
    "tag": "name",
    "command": "type",
    "list": "list_name",
    "constraining_message": "constraint_message",
    "requiredmsg": "required_message",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "image": "media",
    "big-image": "media",
    "audio": "media",
    "video": "media",
}


@dataclass(frozen=True, slots=True)
class Column:
    """A header: `label::French (fr)` has base `label` and suffix `French (fr)`."""

    index: int
    header: str
    base: str
    suffix: str | None


@dataclass
class SheetRow:
    """The non-empty cells of one row, by column index (texts stripped, raw kept)."""

    number: int
    texts: dict[int, str] = field(default_factory=dict)
    raw: dict[int, str] = field(default_factory=dict)


@dataclass
class Sheet:
    """A sheet: its columns (from row 1) and its non-empty rows."""

    name: str
    columns: list[Column]
    rows: list[SheetRow]

    def find(self, base: str, suffix: str | None = None) -> Column | None:
        """The column with this base name (and suffix), if any."""
        for column in self.columns:
            if column.base == base and column.suffix == suffix:
                return column
        return None

    def with_base(self, base: str) -> list[Column]:
        """Every column with this base name, in sheet order."""
        return [c for c in self.columns if c.base == base]

    def get(self, row: SheetRow, base: str, suffix: str | None = None) -> str:
        """The stripped text of a cell ('' when empty or when the column does not exist)."""
        column = self.find(base, suffix)
        return row.texts.get(column.index, "") if column else ""

    def loc(self, row: SheetRow | int, base: str | None = None, suffix: str | None = None):
        """The location of a cell (or of the row when the column is not given / absent)."""
        number = row if isinstance(row, int) else row.number
        column = self.find(base, suffix) if base else None
        if column is None:
            return Location(self.name, number)
        return Location(self.name, number, column.index, column.header)

    def cell_loc(self, row: SheetRow | int, column: Column) -> Location:
        """The location of a cell of a known column."""
        number = row if isinstance(row, int) else row.number
        return Location(self.name, number, column.index, column.header)


def parse_header(text: str) -> tuple[str, str | None]:
    """`Label::French (fr)` -> ('label', 'French (fr)'); `relevance` -> ('relevant', None)."""
    text = _BIND_HEADERS.get(text.strip().lower(), text)
    base, _, suffix = text.partition("::")
    if not suffix and ":" in text:  # pyxform also reads a single colon: `label:English`
        head, _, tail = text.partition(":")
        if "_".join(head.strip().lower().split()) in TRANSLATED:
            base, suffix = head, tail
    name = "_".join(base.strip().lower().split())
    name = ALIASES.get(name, name)
    if name == "media" and base.strip().lower() != "media":
        suffix = base.strip().lower() + (f"::{suffix}" if suffix else "")
    if name.startswith(EXTENSION) and not suffix:
        # surveyapp_<key> (pyxform cannot read surveyapp::<key>: it takes it for a language)
        return "surveyapp", name[len(EXTENSION) :]
    return name, (suffix.strip() if suffix.strip() else None)


def cell_text(value: object) -> str:
    """A cell value as text: numbers without a spurious `.0`, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


@dataclass
class Workbook:
    """The sheets of an XLSForm by their standard name, plus what the reader found odd."""

    source: str
    sheets: dict[str, Sheet]
    problems: list[XlsProblem]
    warnings: list[XlsProblem]
    #: when the file was last saved (its properties, else the file's time): the default version
    modified: dt.datetime | None = None


def read_workbook(path: str | Path) -> Workbook:
    """Read the survey, choices, settings and surveyapp sheets of an .xlsx file.

    The file is checked and opened by opening.py: sizes first, then openpyxl's read-only mode.
    """
    source = str(path)
    problems: list[XlsProblem] = []
    warnings: list[XlsProblem] = []
    sheets: dict[str, Sheet] = {}
    cached = _CachedValues(path)
    try:
        with open_workbook(path) as book:
            modified = _modified(book, path)
            for ws in book.worksheets:
                key = ws.title.strip().lower()
                if key in SHEETS:
                    sheets[key] = _read_sheet(ws, key, problems, warnings, cached)
                elif key in ("external_choices", "entities") and _has_data(ws, key):
                    what = "external choices" if key == "external_choices" else "ODK entities"
                    message = f"{what} are not supported: remove the sheet"
                    problems.append(XlsProblem(Location(ws.title), message))
                else:
                    warning = XlsProblem(Location(ws.title), "sheet ignored", severity="warning")
                    warnings.append(warning)
    except Refused as exc:
        return Workbook(source, {}, [*problems, exc.problem], warnings)
    return Workbook(source, sheets, problems, warnings, modified)


def _modified(book, path: str | Path) -> dt.datetime | None:
    stamp = getattr(book.properties, "modified", None)
    if isinstance(stamp, dt.datetime):
        return stamp
    try:
        return dt.datetime.fromtimestamp(Path(path).stat().st_mtime, tz=dt.UTC)
    except OSError:
        return None


class _CachedValues:
    """The values a spreadsheet application saved for formula cells (read once, if needed).

    Only when a formula is met is the workbook read a second time, through the same guarded,
    read-only opening with `data_only`, and only the formula cells' sheet is kept."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.sheets: dict[str, dict[tuple[int, int], object]] = {}

    def value(self, sheet_title: str, row: int, column: int) -> object:
        if sheet_title not in self.sheets:
            values: dict[tuple[int, int], object] = {}
            with open_workbook(self.path, data_only=True) as book:
                for number, cells in sheet_rows(book[sheet_title], sheet_title):
                    for cell in cells:
                        if cell.value is not None and hasattr(cell, "column"):
                            values[(number, cell.column)] = cell.value
            self.sheets[sheet_title] = values
        return self.sheets[sheet_title].get((row, column))


def _has_data(ws, key: str) -> bool:
    """Whether a sheet has a row below its header."""
    return any(
        number > 1 and any(c.value is not None for c in cells)
        for number, cells in sheet_rows(ws, key)
    )


def _read_sheet(
    ws, key: str, problems: list[XlsProblem], warnings: list[XlsProblem], cached: _CachedValues
) -> Sheet:
    columns: list[Column] = []
    rows: list[SheetRow] = []
    seen: dict[tuple[str, str | None], int] = {}
    for number, cells in sheet_rows(ws, key):
        if number == 1:
            for cell in cells:
                header = cell_text(cell.value).strip()
                if not header:
                    continue
                base, suffix = parse_header(header)
                if (base, suffix) in seen and key != "surveyapp":
                    message = (
                        f"column '{header}' is repeated (first in column {seen[(base, suffix)]})"
                    )
                    problems.append(XlsProblem(Location(key, 1, cell.column, header), message))
                    continue
                seen[(base, suffix)] = cell.column
                columns.append(Column(cell.column, header, base, suffix))
            continue
        row = SheetRow(number)
        for cell in cells:
            if cell.value is None:
                continue
            value = cell.value
            if cell.data_type == "f":
                value = cached.value(ws.title, number, cell.column)
                loc = Location(key, number, cell.column)
                if value is None:
                    message = (
                        f"the formula {cell.value} has no saved value: open and save the file "
                        "in a spreadsheet application, or replace the formula by its value"
                    )
                    problems.append(XlsProblem(loc, message))
                    continue
                message = (
                    f"the formula {cell.value} is read as its saved value {cell_text(value)!r}"
                )
                warnings.append(XlsProblem(loc, message, severity="warning"))
            raw = cell_text(value)
            if raw.strip():
                row.raw[cell.column] = raw
                row.texts[cell.column] = raw.strip()
        if row.texts or key == "surveyapp":
            rows.append(row)
    return Sheet(key, columns, rows)
