"""The types of calculations: what each node gives (number, text, code, set, bool).

A single choice whose codes are all whole numbers (`numcode`) reads as a number in arithmetic
and comparisons with numbers, as XPath converts it (`${d4_3} + ${d4_4}` over 0-7 scales).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .calc_syntax import ARITH, Bin, CalcError, Call, Lit, Neg, Node, Ref, walk

#: A variable's kind by name (VarInfo.kind, or numcode); None when the name is unknown.
KindOf = Callable[[str], str | None]

#: value kinds of variables (VarInfo.kind) a calculation can read, and what they read as
READABLE = {
    "number": "number", "text": "text", "code": "code", "set": "set", "consent": "code",
    "numcode": "numcode",
}  # fmt: skip
NUMERIC = frozenset({"number", "numcode"})
TEXTUAL = frozenset({"text", "code", "numcode"})
INTEGER_CODE = re.compile(r"-?\d{1,15}\Z")


def kind_of_variable(kind: str, codes: Any) -> str:
    """A variable's kind for calculations: numcode for a choice with whole-number codes."""
    if kind == "code" and codes and all(INTEGER_CODE.match(str(c)) for c in codes):
        return "numcode"
    return kind


def infer(node: Node, kind_of: KindOf) -> str:
    """The kind of the result (number, text, code, set, bool); CalcError when ill-typed.

    kind_of(name) gives a variable's kind (VarInfo.kind, or numcode), or None if unknown.
    """
    kind = _infer(node, kind_of)
    return "code" if kind == "numcode" else kind


def _infer(node: Node, kind_of: KindOf) -> str:
    if isinstance(node, Lit):
        return "text" if isinstance(node.value, str) else "number"
    if isinstance(node, Ref):
        kind = kind_of(node.name)
        if kind is None:
            raise CalcError(f"unknown reference '{node.name}'", node.pos)
        if kind not in READABLE:
            raise CalcError(f"'{node.name}' ({kind}) cannot be used in a calculation", node.pos)
        return READABLE[kind]
    if isinstance(node, Neg):
        _want(node.item, kind_of, ("number",), "'-'")
        return "number"
    if isinstance(node, Bin):
        return _infer_bin(node, kind_of)
    return _infer_call(node, kind_of)


def _want(node: Node, kind_of: KindOf, kinds: tuple[str, ...], what: str) -> str:
    kind = _infer(node, kind_of)
    if kind == "numcode" and ("number" in kinds or "code" in kinds):
        return kind
    if kind not in kinds:
        raise CalcError(f"{what} needs {' or '.join(kinds)}, not {kind}", _pos(node))
    return kind


def _pos(node: Node) -> int:
    return node.pos


def _infer_bin(node: Bin, kind_of: KindOf) -> str:
    if node.op in ARITH:
        _want(node.left, kind_of, ("number",), f"'{node.op}'")
        _want(node.right, kind_of, ("number",), f"'{node.op}'")
        return "number"
    if node.op in ("and", "or"):
        _want(node.left, kind_of, ("bool",), f"'{node.op}'")
        _want(node.right, kind_of, ("bool",), f"'{node.op}'")
        return "bool"
    left, right = _infer(node.left, kind_of), _infer(node.right, kind_of)
    if node.op in ("=", "!=") and _comparable(left, right):
        return "bool"
    if left in NUMERIC and right in NUMERIC:
        return "bool"
    message = f"'{node.op}' cannot compare {left} with {right}"
    raise CalcError(message, node.pos)


def _comparable(left: str, right: str) -> bool:
    both = {left, right}
    return both <= TEXTUAL or both <= NUMERIC or left == right != "set"


def _infer_call(node: Call, kind_of: KindOf) -> str:
    name, args = node.name, node.args
    what = f"{name}()"
    if name in ("true", "false"):
        return "bool"
    if name == "not":
        _want(args[0], kind_of, ("bool",), what)
        return "bool"
    if name == "if":
        _want(args[0], kind_of, ("bool",), "the condition of if()")
        return _same(args[1:], kind_of, what)
    if name == "coalesce":
        return _same(args, kind_of, what)
    if name in ("count-selected", "selected"):
        if not isinstance(args[0], Ref) or _infer(args[0], kind_of) not in (
            "set",
            "code",
            "numcode",
        ):
            raise CalcError(f"{what} needs a choice question first", _pos(args[0]))
        if name == "count-selected":
            if _infer(args[0], kind_of) != "set":
                raise CalcError(f"{what} needs a multiple-choice question", _pos(args[0]))
            return "number"
        if not isinstance(args[1], Lit) or not isinstance(args[1].value, str | int):
            raise CalcError(f"{what} needs a code as its second argument", _pos(args[1]))
        return "bool"
    if name in ("concat", "normalize-space"):
        for arg in args:
            _want(arg, kind_of, ("text", "code", "number"), what)
        return "text"
    if name == "round" and len(args) == 2:
        digits = args[1]
        if not (isinstance(digits, Lit) and isinstance(digits.value, int) and digits.value <= 10):
            raise CalcError("round() takes a whole number of digits from 0 to 10", _pos(digits))
    for arg in args[:1] if name == "round" else args:
        _want(arg, kind_of, ("number",), what)
    return "number"


def _same(args: tuple[Node, ...], kind_of: KindOf, what: str) -> str:
    kinds = [_infer(a, kind_of) for a in args]
    if "number" in kinds and set(kinds) <= NUMERIC:
        return "number"
    if set(kinds) <= TEXTUAL:
        return "text" if "text" in kinds else "numcode" if set(kinds) == {"numcode"} else "code"
    if len(set(kinds)) == 1 and kinds[0] == "bool":
        return kinds[0]
    shown = ", ".join(kinds)
    raise CalcError(
        f"the values of {what} must all be numbers or all texts, not {shown}", args[0].pos
    )


def calc_problems(node: Node, declared: str, variables: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(message, rule) for each problem of the calculation of a derived variable.

    `variables` maps ids to VarInfo (kind, codes); `declared` is the derived variable's type.
    """

    def kind_of(name: str) -> str | None:
        var = variables.get(name)
        return None if var is None else kind_of_variable(var.kind, var.codes)

    try:
        kind = _infer(node, kind_of)
    except CalcError as exc:
        return [(f"character {exc.pos + 1}: {exc.message}", "calc")]
    problems = []
    for item in walk(node):
        if isinstance(item, Call) and item.name == "selected":
            ref, code = item.args
            var = variables[ref.name]  # type: ignore[union-attr]
            if isinstance(code, Lit) and str(code.value) not in var.codes:
                message = f"character {code.pos + 1}: '{code.value}' is not an option of '{var.id}'"
                problems.append((message, "unknown-option"))
    wanted = ("number", "numcode") if declared == "number" else ("text", "code", "numcode")
    if kind not in wanted:
        hint = " (wrap a comparison in if(…, 1, 0))" if kind == "bool" else ""
        problems.append((f"the calculation gives a {kind}, not a {declared}{hint}", "calc"))
    return problems
