"""Writing sheets to an .xlsx file with openpyxl (text cells stay text, never formulas)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Sheets in XLSForm order.
ORDER = ("survey", "choices", "settings", "surveyapp")


def write_workbook(sheets: dict[str, list[list[Any]]], path: str | Path) -> None:
    """Write name -> rows (row 0 is the header) as a workbook."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in sorted(sheets, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER)):
        ws = book.create_sheet(name)
        for r, values in enumerate(sheets[name], start=1):
            for c, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # "=..." is a label, not a formula
                if r == 1:
                    cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for c, header in enumerate(sheets[name][0] if sheets[name] else [], start=1):
            width = 80 if name == "surveyapp" else min(max(len(str(header)) + 2, 12), 50)
            ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width = width
    book.save(path)
