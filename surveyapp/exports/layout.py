"""A survey's export layout: the columns of each version in section order, with unique names,
merged across versions (a removed column stays, an added one goes after its predecessor)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.engine.export import export_columns
from surveyapp.exports.column_builders import (
    derived_column,
    parameter_column,
    quality_columns,
    question_column,
    response_head,
    response_tail,
)
from surveyapp.exports.columns import CODE_KINDS, SECTIONS, ExportColumn
from surveyapp.exports.conditions import quota_feeds


def version_layout(survey: CompiledSurvey, number: int) -> list[ExportColumn]:
    """Every column of one survey version, in export order.

    The engine's `export_columns` gives the questions' columns, the derived variables and the
    parameters kept with the response; they are arranged as: response metadata (parameters
    included), answers, derived variables, orders shown, quality flags.
    """
    params: list[ExportColumn] = []
    answers: list[ExportColumn] = []
    derived: list[ExportColumn] = []
    orders: list[ExportColumn] = []
    for col in export_columns(survey):
        if col.kind == "parameter":
            params.append(parameter_column(survey, col))
        elif col.kind.startswith("derived_"):
            derived.append(derived_column(survey, col))
        else:
            out = question_column(survey, col)
            (orders if out.section == "order" else answers).append(out)
    cols = response_head(survey) + params + response_tail() + answers + derived + orders
    cols += quality_columns(survey)
    feeds = quota_feeds(survey)
    return [
        replace(col, versions=(number,), quota_cells=feeds.get(col.source or "", ()))
        for col in _unique_names(cols)
    ]


def _unique_names(cols: list[ExportColumn]) -> list[ExportColumn]:
    """Rename the rare column whose name another column already has (`<name>__<section>`)."""
    seen: set[str] = set()
    out = []
    for col in cols:
        name = col.name
        if name in seen:
            name = f"{col.name}__{col.section}"
            n = 2
            while name in seen:
                name, n = f"{col.name}__{col.section}{n}", n + 1
            col = replace(col, name=name)
        seen.add(name)
        out.append(col)
    return out


def merge_layouts(layouts: Sequence[list[ExportColumn]]) -> list[ExportColumn]:
    """The union of several versions' layouts, in version order (see the module docstring).

    A column present in several versions keeps its first place, takes the newest version's
    texts and labels (with the older value labels kept for codes that disappeared), and lists
    every version that has it.
    """
    merged: list[ExportColumn] = []
    index: dict[str, int] = {}
    for layout in layouts:
        anchor = -1
        for col in layout:
            pos = index.get(col.name)
            if pos is None:
                pos = _insert_position(merged, anchor, col)
                merged.insert(pos, col)
                index = {c.name: i for i, c in enumerate(merged)}
            else:
                merged[pos] = _newer(merged[pos], col)
            anchor = pos
    return merged


def _insert_position(merged: list[ExportColumn], anchor: int, col: ExportColumn) -> int:
    """After the anchor, but never before the section it belongs to nor inside a later one."""
    pos = anchor + 1
    rank = SECTIONS.index(col.section)
    while pos > 0 and SECTIONS.index(merged[pos - 1].section) > rank:
        pos -= 1
    while pos < len(merged) and SECTIONS.index(merged[pos].section) < rank:
        pos += 1
    return pos


def _newer(old: ExportColumn, new: ExportColumn) -> ExportColumn:
    values = dict(old.values)
    values.update(new.values)
    numeric = new.numeric and (old.numeric or not old.values)
    return replace(
        new,
        values=MappingProxyType(values),
        numeric=numeric if new.kind in CODE_KINDS else new.numeric,
        versions=old.versions + new.versions,
        quota_cells=tuple(dict.fromkeys(old.quota_cells + new.quota_cells)),
    )


def survey_layout(versions: Sequence[tuple[int, CompiledSurvey]]) -> list[ExportColumn]:
    """The layout of a survey from its (number, compiled schema) versions, oldest first."""
    return merge_layouts([version_layout(s, n) for n, s in sorted(versions, key=lambda v: v[0])])
