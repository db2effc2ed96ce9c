"""Equivalence classes of answers: the few values that every relevant condition tells apart.

Both the linter's search (reach.py) and the path counter (stats.py) enumerate answers per
class instead of per code: two codes that no condition distinguishes lead to the same
outcomes, so one representative is enough.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .expressions import COUNT_OPS, Leaf, value_test
from .model import Option, Question
from .questions import DecimalType, IntegerType


def option_classes(
    var: str,
    options: tuple[Option, ...],
    atoms: Mapping[str, list[Leaf]],
    copies: Mapping[str, list[str]],
    dependents: Mapping[str, list[Question]],
    extra: tuple[frozenset[str], ...] = (),
) -> list[list[Option]]:
    """Options grouped so that no condition in `atoms` can tell two codes of a group apart.

    A code's signature: the truth of every code test on `var`, on the questions fed from
    it and on derived copies of these; its membership in every code set of a set operator
    and in each set of `extra`; its option condition; whether it is exclusive; and how the
    options_from dependents offer it.
    """
    family = [var]
    for member in family:  # the question, and every question fed from it (options_from)
        family += [q.id for q in dependents.get(member, ()) if q.id not in family]
    related = [x for member in family for x in atoms.get(member, ())]
    related += [x for member in family for d in copies.get(member, ()) for x in atoms.get(d, ())]
    tests = [value_test(x.op, x.arg, x.kind) for x in related if x.kind in ("code", "any")]
    sets = [code_set(x) for x in related if x.kind == "set" and x.op not in COUNT_OPS]
    sets += [frozenset({c}) for x in related if x.op == "has_all" for c in x.arg]
    deps = dependents.get(var, [])
    groups: dict[tuple[Any, ...], list[Option]] = {}
    for o in options:
        key = (
            tuple(_safe(t, o.code) for t in tests),
            tuple(o.code in codes for codes in sets),
            tuple(o.code in codes for codes in extra),
            o.when.key() if o.when else None,
            o.exclusive,
            tuple(_dep_key(dep, o.code) for dep in deps),
        )
        groups.setdefault(key, []).append(o)
    return list(groups.values())


def number_points(q: Question, literals: list[Any]) -> list[Any]:
    """Numbers that every comparison with these literals can tell apart, within min..max."""
    kind = q.kind
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    step: float = 10.0**-kind.decimals if isinstance(kind, DecimalType) else 1
    points = {p for t in literals for p in (t - step, t, t + step)}
    points |= {b for b in (low, high) if b is not None}
    inside = sorted(p for p in points if (low is None or p >= low) and (high is None or p <= high))
    if not inside:
        inside = [low if low is not None else (high if high is not None else 0)]
    if isinstance(kind, IntegerType) and not isinstance(kind, DecimalType):
        inside = sorted({int(p) for p in inside if float(p).is_integer()}) or [int(inside[0])]
    return inside


def class_representatives(classes: list[list[Option]], visible: Iterable[Option]) -> list[str]:
    """One visible code per class."""
    shown = {o.code for o in visible}
    reps = []
    for cls in classes:
        code = next((o.code for o in cls if o.code in shown), None)
        if code is not None:
            reps.append(code)
    return reps


def code_set(leaf: Leaf) -> frozenset[str]:
    """The codes a set operator looks at."""
    return leaf.arg if isinstance(leaf.arg, frozenset) else frozenset({leaf.arg})


def _safe(test: Callable[[Any], bool], value: Any) -> bool:
    try:
        return bool(test(value))
    except TypeError:
        return False


def _dep_key(dep: Question, code: str) -> tuple[Any, ...]:
    option = next((o for o in dep.options if o.code == code), None)
    if option is None:
        return (False,)
    return (True, option.when.key() if option.when else None, option.exclusive)
