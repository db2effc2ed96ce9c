"""Breakdowns: the columns of a table, one per code (or group of codes) of a variable.

Any single-choice question, derived code variable, recruitment source or page language can be
a breakdown. Each survey also has default breakdowns: the variables of its hard quotas (the
barometer's country and company-size band), plus the groupings a study needs, declared here
per survey id (the barometer compares France with North America, USA + Canada).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.results.data import Dataset
from surveyapp.results.variables import Variable

Text = Mapping[str, str]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _text(fr: str, en: str) -> Text:
    return MappingProxyType({"fr": fr, "en": en})


@dataclass(frozen=True, slots=True)
class Group:
    """One breakdown column: the codes of the variable it holds."""

    key: str
    label: Text
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A variable cut into disjoint groups of codes."""

    key: str
    variable: str
    title: Text
    groups: tuple[Group, ...]


@dataclass(frozen=True, slots=True)
class Grouping:
    """A study-specific grouping of a variable's codes (labels in every language)."""

    key: str
    variable: str
    title: Text
    groups: tuple[tuple[str, Text | None, tuple[str, ...]], ...]


#: Groupings per survey id; a group label None takes the variable's label of its one code.
GROUPINGS: Mapping[str, tuple[Grouping, ...]] = MappingProxyType(
    {
        "barometre-2015": (
            Grouping(
                "s1-region",
                "s1",
                _text("France / Amérique du Nord", "France / North America"),
                (
                    ("fr", None, ("1",)),
                    ("na", _text("Amérique du Nord", "North America"), ("2", "3")),
                ),
            ),
        )
    }
)


def for_variable(v: Variable) -> Breakdown:
    """One column per code of a variable."""
    groups = tuple(
        Group(code, v.labels.get(code) or _text(code, code), (code,)) for code in v.codes
    )
    return Breakdown(v.id, v.id, v.title, groups)


def for_grouping(g: Grouping, v: Variable) -> Breakdown:
    """The columns of a declared grouping."""
    groups = tuple(
        Group(key, label or v.labels.get(codes[0]) or _text(key, key), codes)
        for key, label, codes in g.groups
    )
    return Breakdown(g.key, g.variable, g.title, groups)


def available(schema: CompiledSurvey, variables: Mapping[str, Variable]) -> list[Breakdown]:
    """Every breakdown of a survey: the defaults first, then every code variable."""
    out = defaults(schema, variables)
    seen = {b.key for b in out}
    for v in variables.values():
        if v.is_code and v.id not in seen and (v.codes or v.kind == "language"):
            out.append(for_variable(v))
    return out


def defaults(schema: CompiledSurvey, variables: Mapping[str, Variable]) -> list[Breakdown]:
    """The hard quotas' variables, each followed by the survey's groupings of it."""
    out: list[Breakdown] = []
    names = [name for q in schema.quotas if q.kind == "hard" for name in q.by]
    groupings = GROUPINGS.get(schema.id, ())
    for name in dict.fromkeys(names):
        v = variables.get(name)
        if v is None or not v.is_code:
            continue
        out.append(for_variable(v))
        out.extend(for_grouping(g, v) for g in groupings if g.variable == name)
    for g in groupings:
        if g.variable not in names and g.variable in variables:
            out.append(for_grouping(g, variables[g.variable]))
    return out


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A table column: who is in it, and its letter for the significance marks."""

    key: str
    label: Text
    letter: str
    mask: np.ndarray
    #: Whether it takes part in the tests (every column but the total).
    tested: bool


def columns(data: Dataset, breakdown: Breakdown | None) -> list[ColumnSpec]:
    """The total, then one column per group that has respondents in the data."""
    total = ColumnSpec("total", _text("Total", "Total"), "", np.ones(data.n, dtype=bool), False)
    if breakdown is None:
        return [total]
    index = data.codes[breakdown.variable]
    categories = data.categories[breakdown.variable]
    out = [total]
    for group in breakdown.groups:
        wanted = [i for i, code in enumerate(categories) if code in group.codes]
        mask = np.isin(index, wanted)
        if mask.any():
            out.append(ColumnSpec(group.key, group.label, "", mask, True))
    return [
        ColumnSpec(c.key, c.label, LETTERS[i - 1] if i else "", c.mask, c.tested)
        for i, c in enumerate(out)
    ]


def find(breakdowns: Sequence[Breakdown], key: str | None) -> Breakdown | None:
    """The breakdown with this key (None for no breakdown or an unknown key)."""
    return next((b for b in breakdowns if b.key == key), None) if key else None
