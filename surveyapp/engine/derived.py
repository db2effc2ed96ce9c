"""Derived variables: values computed from the answers, in dependency order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .calc_types import INTEGER_CODE
from .model import Derived, Survey
from .resolve import derived_deps

#: A derived variable and the ids it reads (sorted): cases, copies, counts, calculations.
DerivedInput = tuple[Derived, tuple[str, ...]]


def derived_value(d: Derived, env: Mapping[str, Any]) -> Any:
    """One derived variable: a calculation, a count, or the first case whose condition holds.

    A "don't know" code of a number question it reads counts as null (no number)."""
    if d.unknown:
        masked = dict(env)
        for qid, code in d.unknown.items():
            value = masked.get(qid)
            if isinstance(value, int | float) and not isinstance(value, bool) and value == code:
                masked[qid] = None
        env = masked
    if d.calc is not None:
        value = d.calc(env)
        if d.type == "number" and isinstance(value, str):  # a whole-number code
            return int(value) if INTEGER_CODE.match(value) else None
        return value
    if d.count is not None:
        ticked = env.get(d.count)
        return len(ticked) if isinstance(ticked, list) and ticked else None
    for case in d.cases:
        if case.when is None or case.when(env):
            return case.value if case.copy is None else copied(env.get(case.copy))
    return None


def copied(value: Any) -> Any:
    """A copied answer: a code or number as is; a multiple choice only if it has one code."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    return None


def derived_inputs(survey: Survey) -> tuple[DerivedInput, ...]:
    """The survey's derived variables in dependency order, each with the ids it reads.

    The one place the inputs of derived variables are worked out: the exports and the
    results both evaluate derived variables in this order (`environment`), and the results
    memoise each value on the values of its inputs.
    """
    return tuple((d, tuple(sorted(derived_deps(d)))) for d in survey.derived_order)


def add_derived(survey: Survey, env: dict[str, Any]) -> dict[str, Any]:
    """Add every derived variable to `env` (parameters and answers), in dependency order."""
    for d in survey.derived_order:
        env[d.id] = derived_value(d, env)
    return env


def environment(
    survey: Survey, params: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """What conditions of a response are evaluated against: its parameters, then its answers
    (an answer wins over a parameter of the same id), then the derived variables."""
    env = dict(params)
    env.update(answers)
    return add_derived(survey, env)


def derived_values(survey: Survey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every derived variable for these answers (None when no case applies)."""
    env = environment(survey, {}, answers)
    return {d.id: env[d.id] for d in survey.derived}
