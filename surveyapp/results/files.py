"""Tables as files: CSV (one table) and XLSX (a contents sheet, then one sheet per question).

CSV cells go through the exports' writer (`exports.cells.CsvWriter`, the "excel" preset:
UTF-8 with BOM, formula-like text neutralised); percentages are written as numbers with one
decimal (23.4). XLSX text cells are always stored as strings (never as formulas), and
percentages as proportions with a percentage format.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from surveyapp.exports.cells import PRESETS, CsvWriter
from surveyapp.results.report import Report
from surveyapp.results.sheet import Line, Pct, decimal_text, legend_lines, table_lines, tr
from surveyapp.results.tables import Table

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="E8ECF2")
NOTE = Font(italic=True, color="555555")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _csv_value(value: Any) -> Any:
    if isinstance(value, Pct):
        return round(value.value * 100, 1)
    return value


def table_csv(report: Report, table: Table, lang: str, context: Sequence[str] = ()) -> bytes:
    """One table as CSV (context lines first: survey, filters, weighting); a French table is
    written for French Excel (`;`, decimal comma)."""
    writer = CsvWriter(PRESETS["excel-fr" if lang == "fr" else "excel"])
    lines = [[c] for c in context] + [
        [_csv_value(v) for v in line.cells] for line in table_lines(table, report, lang)
    ]
    lines += [list(line.cells) for line in legend_lines(report, lang)]
    return (writer.start() + writer.rows(lines)).encode("utf-8")


def sheet_name(key: str, used: set[str]) -> str:
    """A valid, unique worksheet name (31 characters at most)."""
    base = _SHEET_BAD.sub("_", key)[:31] or "sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f"~{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _put(ws, row: int, col: int, value: Any):
    cell = ws.cell(row=row, column=col)
    if isinstance(value, Pct):
        cell.value = value.value
        cell.number_format = "0.0%"
    else:
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text, never a formula
    return cell


def _write_lines(ws, lines: Sequence[Line], start: int = 1) -> int:
    row = start
    for line in lines:
        for col, value in enumerate(line.cells, start=1):
            if value is None:
                continue
            cell = _put(ws, row, col, value)
            if line.style == "title":
                cell.font = TITLE
            elif line.style == "header":
                cell.font = BOLD
                cell.fill = HEADER_FILL
            elif line.style in ("note", "test"):
                cell.font = NOTE
        row += 1
    return row


def print_setup(ws, title_rows: int = 0) -> None:
    """Landscape, one page wide, the table's heading rows repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"


def heading_rows(lines: Sequence[Line]) -> int:
    """How many leading lines are the table's title, note and column headers."""
    count = 0
    for line in lines:
        if line.style not in ("title", "note", "header"):
            break
        count += 1
    return count


def _widths(ws, first: int = 48, other: int = 11) -> None:
    ws.column_dimensions["A"].width = first
    for col in range(2, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].width = other


def workbook(
    report: Report, lang: str, context: Sequence[str] = (), only: str | None = None
) -> bytes:
    """The XLSX file: contents (context, legend, weighting, links), one sheet per table."""
    wb = Workbook()
    contents = wb.active
    contents.title = sheet_name(_("Contents"), set())
    used = {contents.title.lower()}
    tables = [t for t in report.tables if only is None or t.key == only]
    names = {t.key: sheet_name(t.key, used) for t in tables}
    head = [Line("title", (tr(report.title, lang),))]
    head += [Line("note", (c,)) for c in context]
    head += legend_lines(report, lang)
    row = _write_lines(contents, head) + 1
    row = _weighting(contents, report, lang, row)
    _put(contents, row, 1, _("Tables")).font = BOLD
    row += 1
    for table in tables:
        cell = _put(contents, row, 1, f"{table.key.upper()} — {tr(table.variable.title, lang)}")
        cell.hyperlink = f"#'{names[table.key]}'!A1"
        cell.font = Font(color="1F4E99", underline="single")
        row += 1
    contents.column_dimensions["A"].width = 100
    print_setup(contents)
    for table in tables:
        ws = wb.create_sheet(names[table.key])
        lines = table_lines(table, report, lang)
        _write_lines(ws, lines + legend_lines(report, lang))
        _widths(ws)
        print_setup(ws, heading_rows(lines))
        ws["A2"].alignment = Alignment(wrap_text=False)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def weighting_lines(report: Report, lang: str) -> list[Line]:
    """The weighting cells: target and sample shares, weights."""
    weights = report.weights
    if weights is None or report.scheme is None:
        return []
    scheme = report.scheme
    variables: Mapping = report.variables
    group_var = variables.get(scheme.group) if scheme.group else None
    cell_var = variables.get(scheme.cell)
    lines = [
        Line(
            "header",
            (
                _("Weighting cell"),
                _("Target"),
                _("Target share"),
                "n",
                _("Sample share"),
                _("Weight"),
            ),
        )
    ]
    for c in weights.cells:
        name = cell_var.label(c.cell, lang) if cell_var else c.cell
        if group_var is not None and c.group is not None:
            name = f"{group_var.label(c.group, lang)} — {name}"
        weight = round(c.weight, 4) if c.weight is not None else _("no respondent")
        lines.append(
            Line("data", (name, c.target, Pct(c.target_share), c.n, Pct(c.sample_share), weight))
        )
    lines.append(
        Line(
            "note",
            (
                _(
                    "Effective base of the data set: %(n)s",
                    n=decimal_text(weights.effective_base, 1),
                ),
            ),
        )
    )
    if weights.outside:
        lines.append(
            Line(
                "note",
                (_("%(n)s respondents outside every cell keep a weight of 1", n=weights.outside),),
            )
        )
    return lines


def _weighting(ws, report: Report, lang: str, row: int) -> int:
    lines = weighting_lines(report, lang)
    if not lines:
        return row
    return _write_lines(ws, lines, row) + 1
