"""Numeric questions: mean, standard deviation, quartiles; NPS as score and its three groups.

Descriptive statistics come from statsmodels (`DescrStatsW`: weighted mean and standard
deviation, ddof = 1) and NumPy (`numpy.quantile`: linear interpolation unweighted, as Excel's
QUARTILE.INC; the inverted CDF when weighted, the only weighted method NumPy has).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType

import numpy as np
from statsmodels.stats.weightstats import DescrStatsW

from surveyapp.results import significance as sig
from surveyapp.results.breakdowns import ColumnSpec
from surveyapp.results.data import BLANK, NOT_ASKED, Dataset
from surveyapp.results.tables import (
    Cell,
    Row,
    Table,
    _columns,
    _tested,
    code_table,
    make_base,
)
from surveyapp.results.variables import Variable


def _text(fr: str, en: str):
    return MappingProxyType({"fr": fr, "en": en})


STATS = (
    ("mean", _text("Moyenne", "Mean")),
    ("sd", _text("Écart-type", "Standard deviation")),
    ("min", _text("Minimum", "Minimum")),
    ("q1", _text("1er quartile", "1st quartile")),
    ("median", _text("Médiane", "Median")),
    ("q3", _text("3e quartile", "3rd quartile")),
    ("max", _text("Maximum", "Maximum")),
)
NPS_GROUPS = (
    ("promoters", _text("Promoteurs (9–10)", "Promoters (9–10)")),
    ("passives", _text("Passifs (7–8)", "Passives (7–8)")),
    ("detractors", _text("Détracteurs (0–6)", "Detractors (0–6)")),
)
NPS_SCORE = _text(
    "Score NPS (promoteurs − détracteurs, en points)", "NPS (promoters − detractors, points)"
)


def describe(values: np.ndarray, weights: np.ndarray | None) -> dict[str, float | None]:
    """Mean, standard deviation, extremes and quartiles of answered values."""
    if len(values) == 0:
        return {key: None for key, _l in STATS}
    stats = DescrStatsW(values, weights=weights, ddof=1)
    if weights is None:
        q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    else:
        q1, median, q3 = np.quantile(
            values, [0.25, 0.5, 0.75], weights=weights, method="inverted_cdf"
        )
    sd = float(stats.std) if stats.sum_weights > 1 else None
    return {
        "mean": float(stats.mean),
        "sd": sd,
        "min": float(values.min()),
        "q1": float(q1),
        "median": float(median),
        "q3": float(q3),
        "max": float(values.max()),
    }


def number_table(
    data: Dataset, v: Variable, cols: Sequence[ColumnSpec], weights: np.ndarray | None
) -> Table:
    """Statistics per column; the mean row is marked with Welch's t-tests (Bonferroni)."""
    values = data.numbers[v.id]
    blank = data.blank[v.id]
    unknown = data.dont_know.get(v.id, np.zeros(data.n, dtype=bool))
    answered = ~np.isnan(values)
    asked = answered | blank | unknown
    weighted = weights is not None
    bases = tuple(make_base(weights, c.mask & asked, weighted) for c in cols)
    samples = [values[c.mask & answered] for c in cols]
    sample_weights = [weights[c.mask & answered] if weights is not None else None for c in cols]
    described = [describe(s, w) for s, w in zip(samples, sample_weights, strict=True)]
    tested = _tested(cols, bases)
    marks = sig.mean_marks(samples, sample_weights, tested, [c.letter for c in cols])
    rows = []
    for key, label in STATS:
        cells = tuple(
            Cell(
                len(s),
                _or_nan(d[key]),
                None,
                m if key == "mean" else "",
            )
            for s, d, m in zip(samples, described, marks, strict=True)
        )
        rows.append(Row(key, label, cells, "stat"))
    if any(blank):
        rows.append(
            Row(
                "",
                _text("Sans réponse", "No answer"),
                tuple(
                    Cell(int((c.mask & blank).sum()), float((c.mask & blank).sum()), None)
                    for c in cols
                ),
                "blank",
            )
        )
    if any(unknown):
        rows.append(
            Row(
                "",
                _text("Ne sait pas (hors statistiques)", "Don’t know (not in the statistics)"),
                tuple(
                    Cell(int((c.mask & unknown).sum()), float((c.mask & unknown).sum()), None)
                    for c in cols
                ),
                "blank",
            )
        )
    test = None
    if not weighted and sum(tested) >= 2:
        test = sig.kruskal([s for s, t in zip(samples, tested, strict=True) if t])
    return Table(
        v,
        "number" if v.kind != "derived_number" else "derived_number",
        _columns(cols),
        bases,
        tuple(rows),
        respondents=data.n,
        not_asked=int((~asked).sum()),
        weighted=weighted,
        test=test,
    )


def nps_table(
    data: Dataset, v: Variable, cols: Sequence[ColumnSpec], weights: np.ndarray | None
) -> Table:
    """Promoters, passives and detractors (% of those asked, tested like a single choice),
    then the score in points and the mean."""
    values = data.numbers[v.id]
    group = np.full(data.n, NOT_ASKED, dtype=np.int16)
    group[data.blank[v.id]] = BLANK
    group[values >= 9] = 0
    group[(values >= 7) & (values < 9)] = 1
    group[values <= 6] = 2
    codes = [key for key, _l in NPS_GROUPS]
    shadow = Dataset(data.ids, codes={v.id: group}, categories={v.id: codes})
    labelled = replace(v, codes=tuple(codes), labels=MappingProxyType(dict(NPS_GROUPS)))
    table = code_table(shadow, labelled, cols, weights, kind="nps")
    by_key = {r.key: r for r in table.rows}
    score = []
    for j, base in enumerate(table.bases):
        promoters, detractors = by_key["promoters"].cells[j], by_key["detractors"].cells[j]
        answered = promoters.count + by_key["passives"].cells[j].count + detractors.count
        value = (promoters.count - detractors.count) / answered * 100 if answered else float("nan")
        score.append(Cell(base.n, value, None))
    numbers = number_table(data, v, cols, weights)
    mean = next(r for r in numbers.rows if r.key == "mean")
    rows = table.rows + (Row("score", NPS_SCORE, tuple(score), "score"), mean)
    return replace(table, variable=v, rows=rows)


def _or_nan(value: float | None) -> float:
    return value if value is not None else float("nan")
