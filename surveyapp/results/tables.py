"""Frequency tables: counts, percentages of those asked, bases, and significance marks.

Every table states its base per column: the respondents who were asked (the question, the
option or the grid row was shown to them), whatever they answered. "Not asked" is never an
answer: it is outside the base. "Shown, not answered" is inside the base, as its own row.

- single choice (and derived codes): one row per code, % of the base;
- multiple choice: one row per option, % of respondents (not of answers), each option on the
  base of respondents it was offered to; rows add up to more than 100 %;
- grid: a compact table, rows × scale (see `grid_table`), and with a breakdown one table per
  row;
- numbers: mean, median and quartiles; NPS: promoters, passives, detractors and the score.

"Don't know" added by Revision 2 of the barometer (code 99, specification §10.4.1) is its own
row, kind `dont_know`: the shares of the other answers are on the base *without* it, so they
compare with Revision 1, which had no such option, and the share of "don't know" is reported
beside them on the base of everyone asked (that row's own `bases`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from surveyapp.results import significance as sig
from surveyapp.results.breakdowns import ColumnSpec
from surveyapp.results.data import BLANK, NOT_ASKED, Dataset
from surveyapp.results.variables import Variable

Text = Mapping[str, str]
NO_ANSWER = MappingProxyType({"fr": "Sans réponse", "en": "No answer"})
#: The "Don't know" code of Revision 2 (§10.1 R1: "99 = Don't know"; §10.4.1: "Shares that
#: compare with Revision 1 […] use the base without code 99 and report the share of 99
#: beside it"). Older "don't know" codes (S6 [8], Q2 [5]…) existed in Revision 1: ordinary rows.
DONT_KNOW = "99"


@dataclass(frozen=True, slots=True)
class Base:
    """Who a column's percentages are of."""

    n: int
    weighted: float
    effective: float
    fragile: bool


@dataclass(frozen=True, slots=True)
class Cell:
    """One answer in one column."""

    n: int
    count: float
    pct: float | None
    marks: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a table: an answer code, an option, a statistic."""

    key: str
    label: Text
    cells: tuple[Cell, ...]
    #: answer | blank | score | stat
    kind: str = "answer"
    #: Bases of this row when they differ from the table's (options offered to some only).
    bases: tuple[Base, ...] | None = None
    #: Chi-square of this row across the columns (multiple choice options).
    test: sig.TableTest | None = None


@dataclass(frozen=True, slots=True)
class Column:
    """A column as shown: its label and letter."""

    key: str
    label: Text
    letter: str
    tested: bool


@dataclass(frozen=True)
class Table:
    """One question's table."""

    variable: Variable
    kind: str
    columns: tuple[Column, ...]
    bases: tuple[Base, ...]
    rows: tuple[Row, ...]
    #: Respondents of the data set, and those of them not asked (total column, unweighted).
    respondents: int = 0
    not_asked: int = 0
    weighted: bool = False
    test: sig.TableTest | None = None
    #: For a grid: the scale (code, label) of the compact table and its per-row tables.
    scale: tuple[tuple[str, Text], ...] = ()
    children: tuple[Table, ...] = field(default_factory=tuple)
    #: A grid row's label, for its own table.
    subtitle: Text | None = None
    #: With a "don't know" row: the bases of everyone asked (`bases` leave "don't know" out).
    asked: tuple[Base, ...] | None = None

    @property
    def key(self) -> str:
        """Identifier in URLs and file names."""
        return self.variable.id


# ----------------------------------------------------------------------------- bases
def make_base(weights: np.ndarray | None, mask: np.ndarray, weighted: bool) -> Base:
    """The base of the respondents in `mask`."""
    n = int(mask.sum())
    if not weighted or weights is None:
        return Base(n, float(n), float(n), n < sig.FRAGILE_BASE)
    w = weights[mask]
    effective = sig.effective_base(w) if n else 0.0
    return Base(n, float(w.sum()), effective, effective < sig.FRAGILE_BASE)


def _tested(cols: Sequence[ColumnSpec], bases: Sequence[Base]) -> list[bool]:
    return [c.tested and not b.fragile for c, b in zip(cols, bases, strict=True)]


def _hits(pct: float | None, base: Base) -> float:
    """The count a z-test sees: the (weighted) proportion times the effective base."""
    return (pct or 0.0) * base.effective


def _columns(cols: Sequence[ColumnSpec]) -> tuple[Column, ...]:
    return tuple(Column(c.key, c.label, c.letter, c.tested) for c in cols)


# ----------------------------------------------------------------------------- codes
def _tally(
    index: np.ndarray, size: int, mask: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Unweighted and weighted counts of BLANK and each code, among `mask` (asked only)."""
    selected = mask & (index != NOT_ASKED)
    shifted = index[selected].astype(np.intp) + 2  # BLANK -> 0, code k -> k + 2
    n = np.bincount(shifted, minlength=size + 2)
    if weights is None:
        return n, n.astype(float)
    return n, np.bincount(shifted, weights=weights[selected], minlength=size + 2)


def code_table(
    data: Dataset,
    v: Variable,
    cols: Sequence[ColumnSpec],
    weights: np.ndarray | None,
    column: str | None = None,
    kind: str | None = None,
) -> Table:
    """The table of one code variable (a single choice, a derived code, one grid row)."""
    name = column or v.id
    index = data.codes[name]
    codes = data.categories[name]
    weighted = weights is not None
    asked = index != NOT_ASKED
    full = tuple(make_base(weights, c.mask & asked, weighted) for c in cols)
    dk = codes.index(DONT_KNOW) if v.kind == "single" and DONT_KNOW in codes else None
    if dk is None:
        bases = full
    else:  # the comparable base: everyone asked but those who answered "don't know"
        bases = tuple(make_base(weights, c.mask & asked & (index != dk), weighted) for c in cols)
    tallies = [_tally(index, len(codes), c.mask, weights) for c in cols]
    tested = _tested(cols, bases)
    letters = [c.letter for c in cols]
    # Every code of the schema, then any other code found in the data (labelled by itself).
    answers = (
        _answer_row(code, v.labels.get(code), k + 2, tallies, bases, tested, letters)
        for k, code in enumerate(codes)
        if k != dk
    )
    rows = [row for row in answers if row is not None]  # answer rows are never None
    blank = _answer_row("", NO_ANSWER, 0, tallies, bases, tested, letters, "blank")
    if blank is not None:
        rows.append(blank)
    if dk is not None:
        label = v.labels.get(DONT_KNOW)
        row = _answer_row(
            DONT_KNOW, label, dk + 2, tallies, full, _tested(cols, full), letters, "dont_know"
        )
        if row is not None:
            rows.append(replace(row, bases=full))
    counts = np.array(
        [
            [_hits(r.cells[j].pct, bases[j]) for j in range(len(cols)) if tested[j]]
            for r in rows
            if r.kind == "answer"
        ]
    )
    test = sig.chi_square(counts) if counts.size and sum(tested) >= 2 else None
    return Table(
        v,
        kind or ("derived" if v.kind == "derived" else "single"),
        _columns(cols),
        bases,
        tuple(rows),
        respondents=data.n,
        not_asked=int((~asked).sum()),
        weighted=weighted,
        test=test,
        asked=full if dk is not None else None,
    )


def _answer_row(
    code: str,
    label: Text | None,
    slot: int,
    tallies,
    bases: Sequence[Base],
    tested: Sequence[bool],
    letters: Sequence[str],
    kind: str = "answer",
) -> Row | None:
    cells = []
    for (n, weighted), base in zip(tallies, bases, strict=True):
        count = float(weighted[slot])
        cells.append(Cell(int(n[slot]), count, count / base.weighted if base.weighted else None))
    if kind == "blank" and not any(c.n for c in cells):
        return None  # nobody left it blank: no "No answer" row
    if kind != "blank":
        hits = [_hits(c.pct, b) for c, b in zip(cells, bases, strict=True)]
        marks = sig.column_marks(hits, [b.effective or 1.0 for b in bases], tested, letters)
        cells = [Cell(c.n, c.count, c.pct, m) for c, m in zip(cells, marks, strict=True)]
    return Row(code, label or MappingProxyType({"fr": code, "en": code}), tuple(cells), kind)


# ----------------------------------------------------------------------------- multiple
def multiple_table(
    data: Dataset, v: Variable, cols: Sequence[ColumnSpec], weights: np.ndarray | None
) -> Table:
    """% of respondents ticking each option, on the base of those offered it."""
    flags = data.flags[v.id]
    weighted = weights is not None
    asked = (flags != NOT_ASKED).any(axis=1)
    dk = next((j for j, item in enumerate(v.items) if item.code == DONT_KNOW), None)
    # "Don't know" (exclusive) leaves the comparable base of the other options (§10.4.1).
    knows = flags[:, dk] != 1 if dk is not None else np.ones(data.n, dtype=bool)
    bases = tuple(make_base(weights, c.mask & asked & knows, weighted) for c in cols)
    letters = [c.letter for c in cols]
    rows = []
    last = None
    for j, item in enumerate(v.items):
        offered = flags[:, j] != NOT_ASKED
        if j != dk:
            offered &= knows
        item_bases = tuple(make_base(weights, c.mask & offered, weighted) for c in cols)
        tested = _tested(cols, item_bases)
        cells = []
        for c, base in zip(cols, item_bases, strict=True):
            ticked = c.mask & (flags[:, j] == 1)
            count = float(weights[ticked].sum()) if weights is not None else float(ticked.sum())
            pct = count / base.weighted if base.weighted else None
            cells.append(Cell(int(ticked.sum()), count, pct))
        hits = [_hits(cell.pct, b) for cell, b in zip(cells, item_bases, strict=True)]
        marks = sig.column_marks(hits, [b.effective or 1.0 for b in item_bases], tested, letters)
        cells = [Cell(c.n, c.count, c.pct, m) for c, m in zip(cells, marks, strict=True)]
        effective = [b.effective for b, t in zip(item_bases, tested, strict=True) if t]
        pair = np.array([[h for h, t in zip(hits, tested, strict=True) if t]])
        test = sig.chi_square(np.vstack([pair, np.array(effective) - pair])) if pair.size else None
        differs = j == dk or any(ib.n != b.n for ib, b in zip(item_bases, bases, strict=True))
        row = Row(
            item.code,
            item.label,
            tuple(cells),
            kind="dont_know" if j == dk else "answer",
            bases=item_bases if differs else None,
            test=test,
        )
        if j == dk:
            last = row
        else:
            rows.append(row)
    blank_cells = []
    for c, base in zip(cols, bases, strict=True):
        none = c.mask & (flags == BLANK).any(axis=1) & ~(flags == 1).any(axis=1)
        count = float(weights[none].sum()) if weights is not None else float(none.sum())
        blank_cells.append(
            Cell(int(none.sum()), count, count / base.weighted if base.weighted else None)
        )
    if any(c.n for c in blank_cells):
        rows.append(Row("", NO_ANSWER, tuple(blank_cells), "blank"))
    if last is not None:
        rows.append(last)
    return Table(
        v,
        "multiple",
        _columns(cols),
        bases,
        tuple(rows),
        respondents=data.n,
        not_asked=int((~asked).sum()),
        weighted=weighted,
        asked=(
            tuple(make_base(weights, c.mask & asked, weighted) for c in cols)
            if dk is not None
            else None
        ),
    )


# ----------------------------------------------------------------------------- grids
def grid_table(
    data: Dataset,
    v: Variable,
    cols: Sequence[ColumnSpec],
    weights: np.ndarray | None,
) -> Table:
    """The compact grid (rows × scale, total column) and, with a breakdown, one table per row.

    In the compact table each row is a grid row, `cells` are its percentages per scale code
    (in `scale` order, then "no answer"), and `bases` holds the row's base once per scale code.
    """
    total = cols[:1]
    scale = tuple(
        (code, v.labels.get(code) or MappingProxyType({"fr": code, "en": code})) for code in v.codes
    )
    rows = []
    children = []
    for item in v.items:
        child = code_table(data, v, total, weights, column=item.column, kind="grid_row")
        by_code = {r.key: r.cells[0] for r in child.rows}
        cells = tuple(by_code.get(code, Cell(0, 0.0, None)) for code, _l in scale)
        blank = next((r.cells[0] for r in child.rows if r.kind == "blank"), None)
        rows.append(
            Row(item.code, item.label, cells + ((blank,) if blank else ()), bases=child.bases)
        )
        if len(cols) > 1:
            full = code_table(data, v, cols, weights, column=item.column, kind="grid_row")
            children.append(_with_subtitle(full, item.label))
    index = (
        np.stack([data.codes[item.column] for item in v.items])
        if v.items
        else np.zeros((0, data.n))
    )
    asked = (index != NOT_ASKED).any(axis=0) if v.items else np.zeros(data.n, dtype=bool)
    return Table(
        v,
        "grid",
        _columns(cols),
        tuple(make_base(weights, c.mask & asked, weights is not None) for c in cols),
        tuple(rows),
        respondents=data.n,
        not_asked=int((~asked).sum()),
        weighted=weights is not None,
        scale=scale,
        children=tuple(children),
    )


def _with_subtitle(table: Table, label: Text) -> Table:
    return Table(
        table.variable,
        table.kind,
        table.columns,
        table.bases,
        table.rows,
        table.respondents,
        table.not_asked,
        table.weighted,
        table.test,
        subtitle=label,
        asked=table.asked,
    )
