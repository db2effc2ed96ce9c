"""A table laid out as rows of cells, in one language: what the CSV and XLSX files hold.

Each breakdown column gives three cells: the unweighted count (n), the percentage (weighted
when the report is) and the significance letters. Interface words go through gettext (the
caller sets the locale with `flask_babel.force_locale`); labels come from the schema.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from surveyapp.results import significance as sig
from surveyapp.results.conditions import base_statement
from surveyapp.results.report import Report
from surveyapp.results.tables import Base, Row, Table
from surveyapp.results.variables import Variable

Text = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Pct:
    """A proportion (0–1) written as a percentage."""

    value: float


@dataclass(frozen=True, slots=True)
class Line:
    """One row of a sheet and how to show it."""

    style: str  # title | note | header | base | data | stat | test
    cells: tuple[Any, ...]


def tr(text: Text | None, lang: str) -> str:
    """A schema text in `lang` (or in any language it has)."""
    if not text:
        return ""
    return text.get(lang) or next(iter(text.values()), "")


def column_title(label: Text, letter: str, lang: str) -> str:
    """`France (A)`."""
    return f"{tr(label, lang)} ({letter})" if letter else tr(label, lang)


def decimal_text(value: float, digits: int) -> str:
    """A number in running text with the page's decimal sign (`3,14` in French)."""
    return format_decimal(value, format="0." + "0" * digits if digits else "0")


def _number(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _base_lines(bases: tuple[Base, ...], weighted: bool, dont_know: bool = False) -> list[Line]:
    title = _("Base (respondents asked, without “Don’t know”)") if dont_know else None
    lines = [
        Line(
            "base",
            (
                title or _("Base (respondents asked)"),
                *[c for b in bases for c in (b.n, None, None)],
            ),
        )
    ]
    if weighted:
        lines.append(
            Line(
                "base",
                (
                    _("Weighted base"),
                    *[c for b in bases for c in (round(b.weighted, 1), None, None)],
                ),
            )
        )
        lines.append(
            Line(
                "base",
                (
                    _("Effective base"),
                    *[c for b in bases for c in (round(b.effective, 1), None, None)],
                ),
            )
        )
    if any(b.fragile for b in bases):
        lines.append(
            Line(
                "base",
                (
                    "",
                    *[
                        c
                        for b in bases
                        for c in ((_("fragile") if b.fragile else None), None, None)
                    ],
                ),
            )
        )
    return lines


def _row_line(row: Row, lang: str) -> Line:
    cells: list[Any] = [tr(row.label, lang)]
    for cell in row.cells:
        if row.kind in ("stat", "score"):
            cells += [
                cell.n if row.key == "mean" else None,
                _number(round(cell.count, 2)),
                cell.marks or None,
            ]
        else:
            cells += [cell.n, Pct(cell.pct) if cell.pct is not None else None, cell.marks or None]
    return Line("stat" if row.kind in ("stat", "score") else "data", tuple(cells))


def test_text(test: sig.TableTest | None, decimal: Callable[[float, int], str]) -> str:
    """The table's test, in words (`decimal`: how its figures are written: `decimal_text`, or
    on the results page the texts prepared with the figures)."""
    if test is None:
        return _("No test of the table (fewer than two columns or answers to compare).")
    if test.name == "kruskal":
        return _(
            "Kruskal–Wallis test: H = %(stat)s, df = %(dof)s, p = %(p)s",
            stat=decimal(test.statistic, 2),
            dof=test.dof,
            p=decimal(test.p, 4),
        )
    text = _(
        "Chi-square test: χ² = %(stat)s, df = %(dof)s, p = %(p)s",
        stat=decimal(test.statistic, 2),
        dof=test.dof,
        p=decimal(test.p, 4),
    )
    if test.small_expected > 0.2:
        text += " " + _("(over 20 % of expected counts are under 5: read with caution)")
    return text


def row_test_text(test: sig.TableTest | None) -> str:
    """The chi-square of one option across the columns, in short."""
    if test is None:
        return "—"
    return _(
        "χ² = %(stat)s, p = %(p)s", stat=decimal_text(test.statistic, 2), p=decimal_text(test.p, 4)
    )


def variable_heading(v: Variable) -> str:
    """How a table names its variable: the id in capitals (`Q3`), or the author's name as
    written (`rCSI`, `d4.3`) when the schema gives one."""
    return v.name or v.id.upper()


def table_lines(table: Table, report: Report, lang: str) -> list[Line]:
    """Every line of one table (a grid: its compact table, then its per-row tables)."""
    v = table.variable
    title = f"{variable_heading(v)} — {tr(v.title, lang)}"
    if table.subtitle:
        title += f" — {tr(table.subtitle, lang)}"
    lines = [Line("title", (title,)), Line("note", (base_statement(table, report, lang),))]
    if table.kind == "grid":
        return lines + _grid_lines(table, report, lang)
    header: list[str | None] = [""]
    for col in table.columns:
        header += [column_title(col.label, col.letter, lang), None, None]
    lines.append(Line("header", tuple(header)))
    sub = [""] + [h for _c in table.columns for h in ("n", "%", _("sig."))]
    per_row = table.kind == "multiple" and len(table.columns) > 1
    if per_row:
        sub.append(_("Test of the row"))
    lines.append(Line("header", tuple(sub)))
    lines += _base_lines(table.bases, table.weighted, table.asked is not None)
    for row in table.rows:
        line = _row_line(row, lang)
        if per_row and row.kind == "answer":
            line = Line(line.style, (*line.cells, row_test_text(row.test)))
        lines.append(line)
        if row.bases is not None:
            lines.append(
                Line(
                    "base",
                    (
                        _("base: everyone asked")
                        if row.kind == "dont_know"
                        else _("base: offered this option"),
                        *[c for b in row.bases for c in (b.n, None, None)],
                    ),
                )
            )
    if len(table.columns) > 1 and not per_row:
        lines.append(Line("test", (test_text(table.test, decimal_text),)))
    return lines


def _grid_lines(table: Table, report: Report, lang: str) -> list[Line]:
    header = [_("Row"), _("Base")] + [tr(label, lang) for _code, label in table.scale]
    if any(len(r.cells) > len(table.scale) for r in table.rows):
        header.append(_("No answer"))
    lines = [Line("header", tuple(header))]
    for row in table.rows:
        base = row.bases[0].n if row.bases else None
        cells = [Pct(c.pct) if c.pct is not None else None for c in row.cells]
        lines.append(Line("data", (tr(row.label, lang), base, *cells)))
    for child in table.children:
        lines.append(Line("note", ("",)))
        lines += table_lines(child, report, lang)
    return lines


def legend_lines(report: Report, lang: str) -> list[Line]:
    """What the letters, the fragile flag and the weights mean."""
    lines = [
        Line(
            "note",
            (
                _(
                    "Letters: the percentage is significantly higher than in the column with "
                    "that letter (two-proportion z-test, Bonferroni correction within the row, "
                    "α = 0.05). Columns with a base under %(base)s are fragile and not tested.",
                    base=sig.FRAGILE_BASE,
                ),
            ),
        )
    ]
    if report.weights is not None:
        lines.append(
            Line(
                "note",
                (
                    _(
                        "Weighted: cell weighting to the targets of the quota “%(quota)s” "
                        "(within each group, the target mix of its cells); tests use the "
                        "effective base.",
                        quota=tr(report.scheme.title, lang) if report.scheme else "",
                    ),
                ),
            )
        )
    return lines
