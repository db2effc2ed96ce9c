"""Charts drawn on the server with Matplotlib (its object API: no pyplot, no global state).

- single and multiple choice, derived codes, NPS groups: horizontal bars of percentages, one
  bar per answer; with a breakdown, the columns side by side (grouped bars), the total left
  out;
- grids: stacked horizontal bars (one per grid row; with a breakdown, one per row and column);
- numbers: the mean per column.

SVG keeps its text as text (editable in a slide tool); PNG is 150 dpi. Colours are the
Okabe–Ito palette (readable with colour-vision deficiencies); fragile columns are hatched.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

from surveyapp.results.conditions import base_statement
from surveyapp.results.report import Report
from surveyapp.results.sheet import tr
from surveyapp.results.tables import Table

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
RC: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "none",
    "svg.hashsalt": "surveyapp",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _pct(value: float, lang: str) -> str:
    return format_percent(value, format="#,##0 %" if lang == "fr" else "#,##0%", locale=lang)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _series(table: Table) -> list[int]:
    """Indexes of the columns drawn: the breakdown columns, or the total alone."""
    return list(range(1, len(table.columns))) or [0]


def _bars(ax, table: Table, lang: str) -> None:
    rows = [r for r in table.rows if r.kind in ("answer", "blank")]
    series = _series(table)
    height = 0.8 / len(series)
    for s, j in enumerate(series):
        col = table.columns[j]
        ys = [i + (s - (len(series) - 1) / 2) * height for i in range(len(rows))]
        shares = [r.cells[j].pct for r in rows]
        values = [p or 0.0 for p in shares]
        fragile = table.bases[j].fragile
        label = tr(col.label, lang) + (f" ({_('fragile base')})" if fragile else "")
        bars = ax.barh(
            ys,
            values,
            height=height * 0.95,
            color=PALETTE[s % len(PALETTE)],
            label=label,
            hatch="//" if fragile else None,
            edgecolor="white" if not fragile else "#333333",
        )
        labels = [_pct(p, lang) if p is not None else "" for p in shares]
        ax.bar_label(bars, labels=labels, padding=2, fontsize=7)
    ax.set_yticks(range(len(rows)), [_wrap(tr(r.label, lang), 38) for r in rows])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _pct(x, lang)))
    top = max([c.pct or 0.0 for r in rows for c in r.cells] + [0.01])
    ax.set_xlim(0, min(1.0, top * 1.18) if top < 0.85 else 1.05)
    if len(series) > 1:
        ax.legend(loc="lower right", frameon=False, fontsize=8)


def _stacked(ax, table: Table, lang: str) -> None:
    cmap = colormaps["RdYlBu_r"]
    scale = list(table.scale)
    children = table.children or (table,)
    labels, matrix, hatches = [], [], []
    if table.children:
        for child in table.children:
            for j in _series(child):
                labels.append(f"{tr(child.subtitle, lang)} — {tr(child.columns[j].label, lang)}")
                by_code = {r.key: r.cells[j].pct or 0.0 for r in child.rows}
                matrix.append([by_code.get(code, 0.0) for code, _l in scale])
                hatches.append(child.bases[j].fragile)
    else:
        for row in children[0].rows:
            labels.append(tr(row.label, lang))
            matrix.append([(c.pct or 0.0) for c in row.cells[: len(scale)]])
            hatches.append(bool(row.bases and row.bases[0].fragile))
    left = [0.0] * len(matrix)
    for k, (_code, label) in enumerate(scale):
        values = [m[k] for m in matrix]
        colour = cmap(0.1 + 0.8 * k / max(1, len(scale) - 1))
        bars = ax.barh(
            range(len(matrix)),
            values,
            left=left,
            color=colour,
            label=tr(label, lang),
            edgecolor="white",
        )
        ax.bar_label(
            bars,
            labels=[_pct(v, lang) if v >= 0.06 else "" for v in values],
            label_type="center",
            fontsize=7,
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(
        range(len(matrix)),
        [_wrap(t + (" *" if h else ""), 40) for t, h in zip(labels, hatches, strict=True)],
    )
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _pct(x, lang)))
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncol=min(len(scale), 3),
        frameon=False,
        fontsize=8,
    )


def _means(ax, table: Table, lang: str) -> None:
    mean = next(r for r in table.rows if r.key == "mean")
    cols = list(range(len(table.columns)))
    values = [0.0 if math.isnan(mean.cells[j].count) else mean.cells[j].count for j in cols]
    bars = ax.barh(cols, values, color=[PALETTE[j % len(PALETTE)] for j in cols])
    ax.bar_label(
        bars,
        labels=[format_decimal(round(v, 2), locale=lang) for v in values],
        padding=2,
        fontsize=8,
    )
    ax.set_yticks(cols, [tr(table.columns[j].label, lang) for j in cols])
    ax.invert_yaxis()
    ax.set_xlabel(tr(mean.label, lang))


def _height(table: Table) -> float:
    if table.kind == "grid":
        count = sum(len(_series(c)) for c in table.children) or len(table.rows)
        return 1.6 + 0.42 * count
    if table.kind in ("number", "derived_number"):
        return 1.4 + 0.4 * len(table.columns)
    rows = len([r for r in table.rows if r.kind in ("answer", "blank")])
    return 1.5 + rows * (0.3 + 0.14 * (len(_series(table)) - 1))


def render(table: Table, report: Report, lang: str, fmt: str = "svg") -> bytes:
    """The chart of one table as SVG or PNG bytes."""
    from matplotlib import rc_context

    with rc_context(RC):
        fig = Figure(figsize=(8.0, min(_height(table), 30.0)), layout="constrained")
        ax = fig.add_subplot()
        if table.kind == "grid":
            _stacked(ax, table, lang)
        elif table.kind in ("number", "derived_number"):
            _means(ax, table, lang)
        else:
            _bars(ax, table, lang)
        title = f"{table.key.upper()} — {tr(table.variable.title, lang)}"
        ax.set_title(_wrap(title, 90), loc="left", fontsize=10, fontweight="bold")
        notes = [base_statement(table, report, lang)]
        if report.weights is not None:
            notes.append(_("Weighted results."))
        fig.text(0.0, 0.0, _wrap(" ".join(notes), 130), fontsize=7, color="#444444", va="top")
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {}
        fig.savefig(buffer, format=fmt, dpi=150, bbox_inches="tight", metadata=metadata)
    return buffer.getvalue()
