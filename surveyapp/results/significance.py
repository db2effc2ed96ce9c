"""Significance tests between breakdown columns, all from SciPy and statsmodels.

- The table: Pearson's chi-square test of independence (`scipy.stats.chi2_contingency`,
  without Yates' continuity correction) on the answer × column counts of the columns that are
  tested, zero rows and columns dropped.
- Each answer row: two-sided two-proportion z-tests between every pair of tested columns
  (`statsmodels.stats.proportion.proportions_ztest`, pooled variance), corrected for multiple
  comparisons with the Bonferroni correction within the row (the family is the row's pairs
  of columns; `statsmodels.stats.multitest.multipletests(method="bonferroni")`), at
  α = 0.05. A cell is marked with the letters of the columns it is significantly higher than.
- Numbers: Welch's t-tests between pairs of columns (`statsmodels.stats.weightstats.ttest_ind`,
  `usevar="unequal"`), Bonferroni-corrected the same way; the Kruskal–Wallis test
  (`scipy.stats.kruskal`) for the table when unweighted.

A column whose base is under `FRAGILE_BASE` (30; the effective base when weighted) is flagged
as fragile and left out of every test. The "Total" column overlaps every other one and is never
tested. Weighted tables are tested on the effective base (Kish): the weighted proportions with
`n` replaced by the effective base, a design-effect approximation that the results page states.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.stats.weightstats import ttest_ind

ALPHA = 0.05
#: Bonferroni, as SPSS Custom Tables' "compare column proportions" (statsmodels' Holm
#: runs a full garbage collection on every call: 0.1 s each, thousands of calls per report).
CORRECTION = "bonferroni"
FRAGILE_BASE = 30
#: Below this expected count a chi-square cell is "small" (the page warns past 20 % of cells).
SMALL_EXPECTED = 5


@dataclass(frozen=True, slots=True)
class TableTest:
    """The test of a whole table."""

    name: str  # chi2 | kruskal
    statistic: float
    dof: int | None
    p: float
    #: Share of cells whose expected count is under 5 (chi-square only).
    small_expected: float = 0.0

    @property
    def significant(self) -> bool:
        """p below α."""
        return self.p < ALPHA


def chi_square(counts: np.ndarray) -> TableTest | None:
    """Pearson's chi-square of a rows × columns table (None when it has no 2 × 2 core)."""
    table = np.asarray(counts, dtype=float)
    if table.ndim != 2:
        return None
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return None
    result = stats.chi2_contingency(table, correction=False)
    expected = result.expected_freq
    return TableTest(
        "chi2",
        float(result.statistic),
        int(result.dof),
        float(result.pvalue),
        float((expected < SMALL_EXPECTED).mean()),
    )


def _pair_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p of the pooled two-proportion z-test (1.0 when nothing varies)."""
    pooled = (x1 + x2) / (n1 + n2)
    if pooled <= 0 or pooled >= 1:
        return 1.0
    _z, p = proportions_ztest(np.array([x1, x2]), np.array([n1, n2]))
    return float(p)


def corrected(pvalues: Sequence[float]) -> list[bool]:
    """Which of a family of p-values stay significant after the correction."""
    if not pvalues:
        return []
    reject, _adjusted, _s, _b = multipletests(list(pvalues), alpha=ALPHA, method=CORRECTION)
    return [bool(r) for r in reject]


def column_marks(
    hits: Sequence[float], bases: Sequence[float], tested: Sequence[bool], letters: Sequence[str]
) -> list[str]:
    """Letters of the columns each column is significantly higher than, for one answer row.

    `hits` and `bases` are per column (weighted: proportion × effective base, effective base).
    """
    pairs = [(i, j) for i, j in combinations(range(len(hits)), 2) if tested[i] and tested[j]]
    pvalues = [_pair_p(hits[i], bases[i], hits[j], bases[j]) for i, j in pairs]
    marks = [""] * len(hits)
    for (i, j), significant in zip(pairs, corrected(pvalues), strict=True):
        if not significant:
            continue
        if hits[i] / bases[i] > hits[j] / bases[j]:
            marks[i] += letters[j]
        else:
            marks[j] += letters[i]
    return marks


def mean_marks(
    samples: Sequence[np.ndarray],
    weights: Sequence[np.ndarray | None],
    tested: Sequence[bool],
    letters: Sequence[str],
) -> list[str]:
    """Letters of the columns whose mean each column is significantly higher than (Welch)."""
    pairs = [
        (i, j)
        for i, j in combinations(range(len(samples)), 2)
        if tested[i] and tested[j] and len(samples[i]) > 1 and len(samples[j]) > 1
    ]
    pvalues = []
    for i, j in pairs:
        a, b = samples[i], samples[j]
        if np.ptp(a) == 0 and np.ptp(b) == 0:
            pvalues.append(1.0 if a[0] == b[0] else 0.0)
            continue
        if weights[i] is None or weights[j] is None:
            _t, p, _df = ttest_ind(a, b, usevar="unequal")
        else:
            w = (_effective_weights(weights[i]), _effective_weights(weights[j]))
            _t, p, _df = ttest_ind(a, b, usevar="unequal", weights=w)
        pvalues.append(float(p))
    marks = [""] * len(samples)
    for (i, j), significant in zip(pairs, corrected(pvalues), strict=True):
        if not significant:
            continue
        mi = np.average(samples[i], weights=weights[i])
        mj = np.average(samples[j], weights=weights[j])
        if mi > mj:
            marks[i] += letters[j]
        else:
            marks[j] += letters[i]
    return marks


def _effective_weights(w: np.ndarray | None) -> np.ndarray | None:
    """Weights rescaled to sum to the effective base (so the test's n is the effective n)."""
    if w is None:
        return None
    return w * (effective_base(w) / w.sum())


def kruskal(samples: Sequence[np.ndarray]) -> TableTest | None:
    """Kruskal–Wallis H test across columns (None with fewer than two varied samples)."""
    usable = [s for s in samples if len(s) > 0]
    if len(usable) < 2 or np.ptp(np.concatenate(usable)) == 0:
        return None
    result = stats.kruskal(*usable)
    return TableTest("kruskal", float(result.statistic), len(usable) - 1, float(result.pvalue))


def effective_base(weights: np.ndarray) -> float:
    """Kish's effective sample size (Σw)² / Σw² (the count itself when unweighted)."""
    total = float(weights.sum())
    squares = float(np.square(weights).sum())
    return total * total / squares if squares > 0 else 0.0
