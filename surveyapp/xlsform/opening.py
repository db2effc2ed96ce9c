"""Opening an .xlsx safely: the archive and the sheets' sizes are checked before anything is read.

An .xlsx is a zip of XML files, so a 7 KB workbook can declare a cell at XFD1048576 (17 billion
cells for a reader that fills the grid) and a 1 MB one can inflate to 1 GB of whitespace. So:
the zip's member sizes and compression ratios are checked from its directory (zipfile never
inflates a member past its declared size), the workbook is opened in openpyxl's read-only
(streaming) mode, each sheet's declared dimensions are checked, and rows and columns are
counted again while reading, since a sheet need not declare its dimensions honestly.
"""

from __future__ import annotations

import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from surveyapp.engine.limits import (
    MAX_WORKBOOK_BYTES,
    MAX_WORKBOOK_EXPANDED_BYTES,
    MAX_WORKBOOK_MEMBER_BYTES,
    MAX_WORKBOOK_RATIO,
    MAX_WORKSHEET_COLUMNS,
    MAX_WORKSHEET_ROWS,
)

from .problems import Location, XlsProblem, column_letter

#: What a damaged archive or XML raises inside openpyxl (ParseError is a SyntaxError).
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    SyntaxError,
    EOFError,
    OSError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
)


class Refused(Exception):
    """The workbook cannot be read; `problem` says why."""

    def __init__(self, problem: XlsProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def refused(message: str, sheet: str = "workbook") -> Refused:
    """A refusal located at the workbook (or at one sheet)."""
    return Refused(XlsProblem(Location(sheet), message))


def check_archive(path: str | Path) -> None:
    """Refuse a file too large, or a zip member too large or too compressed, before opening."""
    size = Path(path).stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        raise refused(
            f"the file has {size:,} bytes: a workbook may have at most {MAX_WORKBOOK_BYTES:,}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refused(
            f"cannot read the workbook ({exc}); save it as .xlsx (Excel 2007 or later)"
        ) from exc
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_WORKBOOK_MEMBER_BYTES:
            raise refused(
                f"the part {info.filename} expands to {info.file_size:,} bytes: at most "
                f"{MAX_WORKBOOK_MEMBER_BYTES:,} per part"
            )
        if total > MAX_WORKBOOK_EXPANDED_BYTES:
            raise refused(
                f"the parts expand to more than {MAX_WORKBOOK_EXPANDED_BYTES:,} bytes together"
            )
        if info.file_size > 1_000_000 and ratio > MAX_WORKBOOK_RATIO:
            raise refused(
                f"the part {info.filename} is compressed {ratio:,.0f} times "
                f"(at most {MAX_WORKBOOK_RATIO} for a part over 1 MB): not a spreadsheet"
            )


@contextmanager
def open_workbook(path: str | Path, *, data_only: bool = False) -> Iterator[Any]:
    """The workbook in read-only mode (closed on exit); Refused when it cannot be read.

    `data_only` reads the values a spreadsheet application saved for formula cells."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(path)
    # our own handle: closed here even when openpyxl fails half-way through the archive
    with Path(path).open("rb") as handle:
        try:
            with warnings.catch_warnings():  # openpyxl's notes on styles and properties
                warnings.simplefilter("ignore", UserWarning)
                book = openpyxl.load_workbook(handle, read_only=True, data_only=data_only)
        except (InvalidFileException, *READ_ERRORS) as exc:
            raise refused(
                f"cannot read the workbook ({exc}); save it as .xlsx (Excel 2007 or later)"
            ) from exc
        try:
            yield book
        finally:
            book.close()


def sheet_rows(ws: Any, name: str) -> Iterator[tuple[int, Any]]:
    """(row number, cells) of a read-only sheet, refusing a sheet over the row/column caps."""
    rows, columns = ws.max_row or 0, ws.max_column or 0
    if rows > MAX_WORKSHEET_ROWS or columns > MAX_WORKSHEET_COLUMNS:
        span = f"A1:{column_letter(columns)}{rows}"
        raise refused(_too_large(f"declares the range {span}"), name)
    ws.reset_dimensions()  # the declared size may lie: count while reading instead
    try:
        for number, cells in enumerate(ws.iter_rows(min_row=1), start=1):
            if number > MAX_WORKSHEET_ROWS:
                raise refused(_too_large(f"has more than {MAX_WORKSHEET_ROWS:,} rows"), name)
            if cells and len(cells) > MAX_WORKSHEET_COLUMNS:
                last = column_letter(len(cells))
                raise refused(_too_large(f"has a cell in column {last}, row {number}"), name)
            yield number, cells
    except READ_ERRORS as exc:
        raise refused(f"the sheet is damaged ({exc}): save the workbook again", name) from exc


def _too_large(what: str) -> str:
    return (
        f"the sheet {what}: at most {MAX_WORKSHEET_ROWS:,} rows and "
        f"{MAX_WORKSHEET_COLUMNS} columns ({column_letter(MAX_WORKSHEET_COLUMNS)})"
    )
