"""The full set of tables of a survey for one breakdown and weighting: pure, no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.results import breakdowns as bd
from surveyapp.results.data import Dataset
from surveyapp.results.numbers import nps_table, number_table
from surveyapp.results.tables import Table, code_table, grid_table, multiple_table
from surveyapp.results.variables import Variable
from surveyapp.results.weighting import Scheme, Weights, cell_weights, scheme_for

Text = Mapping[str, str]


@dataclass(frozen=True)
class Report:
    """Every table, with what they were computed on."""

    survey_id: str
    title: Text
    respondents: int
    tables: tuple[Table, ...]
    breakdown: bd.Breakdown | None
    weights: Weights | None
    scheme: Scheme | None
    variables: Mapping[str, Variable]

    def table(self, key: str) -> Table | None:
        """The table of one question (None when it has none)."""
        return next((t for t in self.tables if t.key == key), None)


def table_for(
    data: Dataset, v: Variable, cols: list[bd.ColumnSpec], weights: np.ndarray | None
) -> Table | None:
    """The table of one variable, by kind (None for kinds without a table)."""
    if v.kind in ("single", "derived"):
        return code_table(data, v, cols, weights)
    if v.kind == "multiple":
        return multiple_table(data, v, cols, weights)
    if v.kind == "grid":
        return grid_table(data, v, cols, weights)
    if v.kind in ("number", "derived_number"):
        return number_table(data, v, cols, weights)
    if v.kind == "nps":
        return nps_table(data, v, cols, weights)
    return None


def build_report(
    data: Dataset,
    variables: Mapping[str, Variable],
    schema: CompiledSurvey,
    breakdown: bd.Breakdown | None = None,
    weighted: bool = False,
    only: str | None = None,
) -> Report:
    """Tables of every variable (or of `only`), with `breakdown` columns, weighted or not."""
    scheme = scheme_for(schema)
    weights = cell_weights(data, scheme) if weighted and scheme is not None else None
    cols = bd.columns(data, breakdown)
    values = weights.values if weights is not None else None
    tables = []
    for v in variables.values():
        if only is not None and v.id != only:
            continue
        table = table_for(data, v, cols, values)
        if table is not None:
            tables.append(table)
    return Report(
        schema.id,
        schema.title,
        data.n,
        tuple(tables),
        breakdown,
        weights,
        scheme,
        variables,
    )
