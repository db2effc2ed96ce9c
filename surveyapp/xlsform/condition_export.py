"""Our condition language -> XPath `relevant` (the export side of conditions.py).

The exporter keeps an XPath only when it imports back to exactly the condition it came from
(`exact_xpath`): what cannot be written in the XPath subset, or would import as something
else, is left out and the condition stays in the workbook's own column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from surveyapp.domain import Op

from .conditions import Cond, Symbols, Translator, Var, leaf_of
from .xpath import XPathError


def to_xpath(cond: Cond, by_ref: Mapping[str, Var]) -> str | None:
    """The XPath of a condition, or None when it names something off the survey sheet."""
    try:
        return _x(cond, by_ref, "top")
    except _NoXPath:
        return None


class _NoXPath(Exception):
    """The condition cannot be written in the XPath subset."""


def _x(cond: Cond, by_ref: Mapping[str, Var], ctx: str) -> str:
    if not isinstance(cond, dict):
        raise _NoXPath
    if "all" in cond or "any" in cond:
        word = "all" if "all" in cond else "any"
        items = cond[word]
        if len(cond) != 1 or not isinstance(items, list) or not items:
            raise _NoXPath
        joiner = " and " if word == "all" else " or "
        return _wrap(joiner.join(_x(i, by_ref, "nested") for i in items), ctx, len(items) > 1)
    if "not" in cond:
        if len(cond) != 1:
            raise _NoXPath
        return f"not({_x(cond['not'], by_ref, 'top')})"
    leaf = leaf_of(cond)
    if leaf is None:
        raise _NoXPath
    ref, op, arg = leaf
    var = by_ref.get(ref)
    if var is None or var.xpath_name is None:
        raise _NoXPath
    text, compound = _leaf_xpath(f"${{{var.xpath_name}}}", var, op, arg)
    return _wrap(text, ctx, compound)


def _wrap(text: str, ctx: str, compound: bool) -> str:
    return f"({text})" if compound and ctx == "nested" else text


def _lit(value: Any, var: Var) -> str:
    if var.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _NoXPath
        if isinstance(value, float) and not math.isfinite(value):
            raise _NoXPath
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    if "'" in text or isinstance(value, bool):
        raise _NoXPath
    return f"'{text}'"


def _leaf_xpath(name: str, var: Var, op: str, arg: Any) -> tuple[str, bool]:
    """(XPath, is compound) of one leaf."""
    answered = f"{name} != ''"
    if op == "answered":
        if not isinstance(arg, bool):
            raise _NoXPath
        return (answered if arg else f"{name} = ''"), False
    if var.kind in ("code", "number"):
        simple: dict[str, str] = {Op.EQ: "=", Op.GT: ">", Op.GTE: ">=", Op.LT: "<", Op.LTE: "<="}
        if op in simple and (op == "eq" or var.kind == "number"):
            return f"{name} {simple[op]} {_lit(arg, var)}", False
        if op == "ne":
            return f"{name} != {_lit(arg, var)} and {answered}", True
        if op in ("in", "not_in") and var.kind == "code" and _codes(arg):
            alts = " or ".join(f"{name} = {_lit(c, var)}" for c in arg)
            return (alts, True) if op == "in" else (f"not({alts}) and {answered}", True)
    if var.kind == "set":
        if op == "has":
            return f"selected({name}, {_lit(arg, var)})", False
        if op in ("has_any", "has_all", "has_none") and _codes(arg):
            tests = [f"selected({name}, {_lit(c, var)})" for c in arg]
            if op == "has_all":
                return " and ".join(tests), True
            if op == "has_any":
                return " or ".join(tests), True
            return f"not({' or '.join(tests)}) and {answered}", True
        count = f"count-selected({name})"
        if op in ("count_eq", "count_gte", "count_lte") and _count_arg(arg):
            if op == "count_eq":
                return f"{count} = {arg}", False
            if op == "count_gte":
                return f"{count} >= {arg}", False
            return f"{count} <= {arg} and {answered}", True
    raise _NoXPath


def _codes(arg: Any) -> bool:
    return isinstance(arg, list) and bool(arg)


def _count_arg(arg: Any) -> bool:
    return isinstance(arg, int) and not isinstance(arg, bool) and arg >= 1


def exact_xpath(cond: Cond, symbols: Symbols) -> str | None:
    """The XPath of a condition if it imports back to exactly `cond`, else None."""
    text = to_xpath(cond, symbols.by_ref())
    if text is None:
        return None
    try:
        back = Translator(symbols).translate(text)
    except XPathError:
        return None
    return text if back == cond else None
