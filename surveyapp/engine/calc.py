"""Calculations: a small expression language for derived numbers and texts.

The syntax is in `calc_syntax` (a hand-written parser), the types in `calc_types`; here the
tree becomes closures: nothing evaluates text as code. Evaluation is total: an empty operand,
a division by zero, a value of the wrong type or a result that is not a finite number (or
exceeds ±1e15) gives null (empty), never an exception. Comparisons with null are false,
except `=` / `!=` against a text, where null is the empty text '' (as in XPath).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .calc_syntax import Bin, CalcError, Call, Lit, Neg, Node, Ref, parse, refs, unparse, walk
from .calc_types import INTEGER_CODE, infer

Env = Mapping[str, Any]
Fn = Callable[[Env], Any]

LIMIT = 1e15  # larger results are null: exports keep 15 significant digits exactly


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if _num(value) and abs(value) > LIMIT:
        return None
    return value


def _divide(a: int | float, b: int | float) -> int | float | None:
    if b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    return a / b


def _modulo(a: int | float, b: int | float) -> int | float | None:
    if b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int):
        rest = abs(a) % abs(b)
        return -rest if a < 0 else rest
    return math.fmod(a, b)


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "div": _divide,
    "mod": _modulo,
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _scalar(value: Any) -> Any:
    """A value a calculation can read: a number, a non-empty text, a list of codes, or None."""
    if _num(value):
        return _finite(value)
    if isinstance(value, str):
        return value or None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _text(value: Any) -> str:
    if value is None or isinstance(value, list | bool):
        return ""
    if isinstance(value, float):
        return f"{value:.15g}"
    return str(value)


def _number(value: Any) -> Any:
    """A number, or a whole-number code read as a number (XPath's number()); else None."""
    if _num(value):
        return value
    if isinstance(value, str) and INTEGER_CODE.match(value):
        return int(value)
    return None


def _round(value: Any, digits: int) -> Any:
    value = _number(value)
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-digits)
    result = Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return int(result) if digits == 0 else float(result)


def compile_calc(node: Node) -> Fn:
    """A closure computing the expression over an environment (never raises on values)."""
    if isinstance(node, Lit):
        value = node.value
        return lambda env: value
    if isinstance(node, Ref):
        name = node.name
        return lambda env: _scalar(env.get(name))
    if isinstance(node, Neg):
        item = compile_calc(node.item)

        def negate(env: Env) -> Any:
            value = _number(item(env))
            return None if value is None else -value

        return negate
    if isinstance(node, Bin):
        return _compile_bin(node)
    return _compile_call(node)


def _compile_bin(node: Bin) -> Fn:
    left, right = compile_calc(node.left), compile_calc(node.right)
    if node.op == "and":
        return lambda env: left(env) is True and right(env) is True
    if node.op == "or":
        return lambda env: left(env) is True or right(env) is True
    if node.op in _ARITH:
        op = _ARITH[node.op]

        def arith(env: Env) -> Any:
            a, b = _number(left(env)), _number(right(env))
            if a is None or b is None:
                return None
            try:
                return _finite(op(a, b))
            except (OverflowError, ZeroDivisionError):
                return None

        return arith
    test = _COMPARE[node.op]

    textual = node.op in ("=", "!=")

    def compare(env: Env) -> bool:
        a, b = left(env), right(env)
        if _num(a) or _num(b):  # a number and a whole-number code compare as numbers
            a, b = _number(a), _number(b)
            return a is not None and b is not None and test(a, b)
        if textual and (isinstance(a, str) or isinstance(b, str)):
            a, b = ("" if a is None else a), ("" if b is None else b)  # empty text is ''
        if a is None or b is None or isinstance(a, list) or isinstance(b, list):
            return False
        if _num(a) != _num(b) or isinstance(a, bool) != isinstance(b, bool):
            return False
        return test(a, b)

    return compare


def _compile_call(node: Call) -> Fn:
    name = node.name
    args = tuple(compile_calc(a) for a in node.args)
    if name in ("true", "false"):
        constant = name == "true"
        return lambda env: constant
    if name == "not":
        return lambda env: args[0](env) is not True
    if name == "if":
        test, then, other = args
        return lambda env: then(env) if test(env) is True else other(env)
    if name == "coalesce":
        return lambda env: next((v for v in (a(env) for a in args) if v is not None), None)
    if name == "count-selected":
        return lambda env: len(v) if isinstance(v := args[0](env), list) else None
    if name == "selected":
        code = str(node.args[1].value) if isinstance(node.args[1], Lit) else ""
        source = args[0]
        return lambda env: _selected(source(env), code)
    if name == "concat":
        return lambda env: "".join(_text(a(env)) for a in args) or None
    if name == "normalize-space":
        return lambda env: " ".join(_text(args[0](env)).split()) or None
    if name == "round":
        place = node.args[1] if len(node.args) == 2 else None
        digits = int(place.value) if isinstance(place, Lit) else 0  # the typing checked a literal
        return lambda env: _round(args[0](env), digits)
    return _numeric_call(name, args)


def _selected(value: Any, code: str) -> bool:
    if isinstance(value, list):
        return code in value
    return isinstance(value, str) and value == code


def _smallest(values: list[Any]) -> Any:
    return min(values)


def _largest(values: list[Any]) -> Any:
    return max(values)


_REDUCERS: dict[str, Callable[[list[Any]], Any]] = {
    "sum": math.fsum,
    "min": _smallest,
    "max": _largest,
}


def _numeric_call(name: str, args: tuple[Fn, ...]) -> Fn:
    if name in ("sum", "min", "max"):
        reduce = _REDUCERS[name]

        def aggregate(env: Env) -> Any:
            values = [v for v in (_number(a(env)) for a in args) if v is not None]
            if not values:
                return None
            if name == "sum" and all(isinstance(v, int) for v in values):
                return _finite(sum(values))
            return _finite(reduce(values))

        return aggregate
    one = args[0]
    if name == "int":
        return lambda env: None if (v := _number(one(env))) is None else math.trunc(v)
    return lambda env: None if (v := _number(one(env))) is None else abs(v)


# ---------------------------------------------------------------------- the value object
@dataclass(frozen=True, slots=True)
class Calc:
    """A parsed calculation: its text, tree, the names it reads and its closure."""

    text: str
    node: Node
    names: frozenset[str]
    fn: Fn = field(compare=False, repr=False)

    def __call__(self, env: Env) -> Any:
        value = self.fn(env)
        return None if isinstance(value, bool) or value == "" else value


def make_calc(text: str) -> Calc:
    """Parse and compile; CalcError when the text is not a calculation."""
    node = parse(text)
    return Calc(text, node, refs(node), compile_calc(node))


__all__ = [
    "Bin", "Calc", "CalcError", "Call", "Lit", "Neg", "Node", "Ref", "compile_calc", "infer",
    "make_calc", "parse", "refs", "unparse", "walk",
]  # fmt: skip
