"""Cell weighting to the quota targets (specification §6.5).

The scheme comes from the schema's first hard quota: with two `by` variables (the barometer's
country × size band) the first one is the group (country) and the second the cells (size
band); within each group, a respondent of cell c weighs

    w = (T_gc / T_g) / (n_gc / n_g)

where T are the quota targets and n the respondents in the filtered data, so each country keeps
its own number of respondents and takes the target size mix (45 / 30 / 25 % for the barometer).
Countries are not weighted against each other (§6.5: "a country total re-weighted to the target
size mix"; no population weighting). A cell with a target but no respondent cannot be
represented: the other cells of its group share its target, and the report names it.
Respondents outside every cell (no size band, a group without targets) keep a weight of 1.
With a single `by` variable the whole data set is one group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.results.data import Dataset

Text = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Scheme:
    """Which variables define the cells, and the target of each (group code, cell code)."""

    quota: str
    title: Text
    group: str | None
    cell: str
    targets: Mapping[tuple[str | None, str], int]


@dataclass(frozen=True, slots=True)
class CellWeight:
    """One weighting cell: its target share within the group, its sample, its weight."""

    group: str | None
    cell: str
    target: int
    target_share: float
    n: int
    sample_share: float
    weight: float | None


@dataclass(frozen=True, slots=True)
class Weights:
    """Per-respondent weights and how they were obtained."""

    scheme: Scheme
    values: np.ndarray
    cells: tuple[CellWeight, ...] = ()
    outside: int = 0

    @property
    def effective_base(self) -> float:
        """Kish's effective base of the whole data set."""
        total = float(self.values.sum())
        squares = float(np.square(self.values).sum())
        return total * total / squares if squares else 0.0


def scheme_for(schema: CompiledSurvey) -> Scheme | None:
    """The weighting scheme of a survey: its first hard quota with one or two variables."""
    for quota in schema.quotas:
        if quota.kind != "hard" or not 1 <= len(quota.by) <= 2 or not quota.cells:
            continue
        targets: dict[tuple[str | None, str], int] = {}
        for cell in quota.cells:
            key = (cell.codes[0], cell.codes[1]) if len(quota.by) == 2 else (None, cell.codes[0])
            targets[key] = cell.target
        group = quota.by[0] if len(quota.by) == 2 else None
        title = quota.label or {"fr": quota.id, "en": quota.id}
        return Scheme(quota.id, title, group, quota.by[-1], targets)
    return None


def _codes(data: Dataset, name: str | None) -> np.ndarray:
    """The code of every respondent for a code variable (None when not set)."""
    if name is None:
        return np.full(data.n, None, dtype=object)
    index = data.codes[name]
    lookup = np.array(list(data.categories[name]) + [None, None], dtype=object)
    return lookup[index]  # -1 and -2 pick the two trailing None


def cell_weights(data: Dataset, scheme: Scheme) -> Weights:
    """Weights that give each group the target mix of its cells."""
    groups = _codes(data, scheme.group)
    cells = _codes(data, scheme.cell)
    weights = np.ones(data.n)
    report: list[CellWeight] = []
    inside = np.zeros(data.n, dtype=bool)
    for group in dict.fromkeys(g for g, _c in scheme.targets):
        in_group = groups == group if group is not None else np.ones(data.n, dtype=bool)
        keys = [(g, c) for g, c in scheme.targets if g == group]
        masks = {key: in_group & (cells == key[1]) for key in keys}
        present = {key: int(mask.sum()) for key, mask in masks.items()}
        target_total = sum(scheme.targets[k] for k in keys if present[k])
        n_group = sum(present.values())
        for key in keys:
            target, n = scheme.targets[key], present[key]
            share = target / target_total if target_total and n else 0.0
            weight = share * n_group / n if n else None
            if weight is not None:
                weights[masks[key]] = weight
                inside |= masks[key]
            report.append(
                CellWeight(group, key[1], target, share, n, n / n_group if n_group else 0.0, weight)
            )
    return Weights(scheme, weights, tuple(report), int((~inside).sum()))
