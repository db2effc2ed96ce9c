"""Conditions as text and JSON for the codebook, and which quota cells a variable feeds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from surveyapp.domain import Op
from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.engine.expressions import AllOf, AnyOf, Leaf, Node, Not, Other
from surveyapp.engine.model import Question
from surveyapp.engine.resolve import derived_deps

_OPS: dict[str, str] = {
    Op.EQ: "=",
    Op.NE: "≠",
    Op.GT: ">",
    Op.GTE: "≥",
    Op.LT: "<",
    Op.LTE: "≤",
    Op.IN: "in",
    Op.NOT_IN: "not in",
    Op.HAS: "has",
    Op.HAS_ANY: "has any of",
    Op.HAS_ALL: "has all of",
    Op.HAS_NONE: "has none of",
}


def describe(node: Node) -> str:
    """A condition as readable text: `q1 in {2, 3} and not (s6 = 8)`."""
    if isinstance(node, Leaf):
        return _describe_leaf(node)
    if isinstance(node, Not):
        return f"not ({describe(node.item)})"
    word = " and " if isinstance(node, AllOf) else " or "
    return word.join(
        f"({describe(item)})" if isinstance(item, AllOf | AnyOf) else describe(item)
        for item in node.items
    )


def _describe_leaf(leaf: Leaf) -> str:
    arg = leaf.arg
    if leaf.op == "answered":
        return f"{leaf.var} answered" if arg else f"{leaf.var} not answered"
    if leaf.op.startswith("count_"):
        return f"count({leaf.var}) {_OPS[leaf.op.replace('count_', '')]} {arg}"
    if isinstance(arg, frozenset):
        arg = "{" + ", ".join(sorted(arg, key=_code_key)) + "}"
    return f"{leaf.var} {_OPS[leaf.op]} {arg}"


def _code_key(code: str) -> tuple[int, int | str]:
    return (0, int(code)) if code.isdigit() else (1, code)


def tree(node: Node) -> Any:
    """A condition as JSON, in the schema's own form (`{q: …, op: …}`, `all`, `any`, `not`)."""
    if isinstance(node, Leaf):
        arg = node.arg
        if isinstance(arg, frozenset):
            arg = sorted(arg, key=_code_key)
        if isinstance(arg, Other):
            arg = {"q": arg.ref}
        return {"q": node.var, node.op: arg}
    if isinstance(node, Not):
        return {"not": tree(node.item)}
    word = "all" if isinstance(node, AllOf) else "any"
    return {word: [tree(item) for item in node.items]}


def describe_all(nodes: Sequence[Node], q: Question, code: str | None) -> str | None:
    parts = [describe(n) for n in nodes]
    if q.options_from and code is not None:
        parts.append(f"{q.options_from} has {code}")
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " and ".join(f"({p})" for p in parts)


def tree_all(nodes: Sequence[Node]) -> Any:
    if not nodes:
        return None
    if len(nodes) == 1:
        return tree(nodes[0])
    return {"all": [tree(n) for n in nodes]}


def quota_feeds(survey: CompiledSurvey) -> dict[str, tuple[str, ...]]:
    """Variable id -> the quota cells it feeds, following derived variables transitively."""
    deps: dict[str, set[str]] = {}
    for d in survey.derived:
        deps[d.id] = derived_deps(d)  # cases, copies, counts and calculations
    feeds: dict[str, list[str]] = {}
    for quota in survey.quotas:
        direct = set(quota.by)
        if quota.when is not None:
            direct |= quota.when.refs
        for var in _closure(direct, deps):
            feeds.setdefault(var, []).extend(cell.id for cell in quota.cells)
    return {var: tuple(cells) for var, cells in feeds.items()}


def _closure(ids: Iterable[str], deps: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(ids)
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        stack.extend(deps.get(var, ()))
    return seen
