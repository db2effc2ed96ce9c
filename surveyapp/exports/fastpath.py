"""Compiled fast path of the row builder: one generated Python function per survey version.

Building 100 000 rows of 200 cells one small closure at a time costs several seconds of
interpreter overhead. Here the layout of a version is turned, once, into the source of two
plain functions, compiled with `compile()`:

- `environment(record)`: parameters, answers and the derived variables, evaluated in the
  engine's dependency order with the engine's semantics (`derived_value`, `value_test`);
- `row(record, env)`: one list display holding every cell of the row.

Safety of the generated source: it contains only names generated here (`_k12`, `_m3`…),
operators from a fixed table and the literals True, False and None. Every value that comes
from a schema (question ids, codes, labels, mappings) is passed in the namespace, never
written into the source, so no schema text can change the code.

Correctness: the generated functions are a faster spelling of `RowBuilder`'s parts and of
the engine's derived variables. Anything unusual (a value that is not a known code, a list
where a code belongs) raises KeyError or TypeError in the fast path and the row is rebuilt
by the general path; tests compare both paths, and the engine's `derived_values`, on random
answers (tests/exports/test_fastpath.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from surveyapp.domain import Op
from surveyapp.engine.derived import copied, derived_value
from surveyapp.engine.expressions import AllOf, AnyOf, Leaf, Node, Not, compile_node
from surveyapp.engine.model import Derived

_NUMBER_OPS: dict[str, str] = {
    Op.EQ: "==",
    Op.NE: "!=",
    Op.GT: ">",
    Op.GTE: ">=",
    Op.LT: "<",
    Op.LTE: "<=",
}
_COUNT_OPS: dict[str, str] = {Op.COUNT_EQ: "==", Op.COUNT_GTE: ">=", Op.COUNT_LTE: "<="}


class Source:
    """Generated source lines and the namespace of their constants."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_copied": copied,
            "_str": str,
            "_list": list,
            "_dict": dict,
            "_len": len,
            "_isinstance": isinstance,
            "_number": (int, float),
            "_bool": bool,
            "_space": " ",
        }
        self._count = 0

    def const(self, value: Any) -> str:
        """A generated name bound to `value` in the namespace."""
        name = f"_k{self._count}"
        self._count += 1
        self.namespace[name] = value
        return name

    def compile(self, lines: Sequence[str], name: str) -> Callable[..., Any]:
        """Compile the function `name` defined by `lines`."""
        code = compile("\n".join(lines) + "\n", f"<export fast path {name}>", "exec")
        exec(code, self.namespace)  # noqa: S102  # nosec B102 - generated names only, see module doc
        return self.namespace[name]


# ----------------------------------------------------------------------------- conditions
def condition_expr(src: Source, node: Node) -> str:
    """A Python expression (over `_g = env.get`) equal to the engine's compiled test."""
    if isinstance(node, Leaf):
        return _leaf_expr(src, node)
    if isinstance(node, Not):
        return f"(not {condition_expr(src, node.item)})"
    word = " and " if isinstance(node, AllOf) else " or "
    assert isinstance(node, AllOf | AnyOf)
    return "(" + word.join(condition_expr(src, item) for item in node.items) + ")"


def _leaf_expr(src: Source, leaf: Leaf) -> str:
    if leaf.kind == "compare":  # two answers: the engine's own closure over the environment
        return f"{src.const(compile_node(leaf))}(env)"
    value = f"_g({src.const(leaf.ref)})"
    if leaf.row is not None:
        row = src.const(leaf.row)
        value = f"(_x.get({row}) if _isinstance(_x := {value}, _dict) else None)"
    op, arg, kind = leaf.op, leaf.arg, leaf.kind
    if op == "answered":
        return f"(({value} is not None) is {bool(arg)!r})"
    a = src.const(arg)
    if kind == "number":
        number = f"(_isinstance(_v := {value}, _number) and not _isinstance(_v, _bool))"
        return f"({number} and _v {_NUMBER_OPS[op]} {a})"
    if kind == "set":
        guard = f"_isinstance(_v := {value}, _list)"
        tests = {
            "has": f"{a} in _v",
            "has_any": f"not {a}.isdisjoint(_v)",
            "has_all": f"{a}.issubset(_v)",
            "has_none": f"{a}.isdisjoint(_v)",
        }
        test = tests.get(op) or f"_len(_v) {_COUNT_OPS[op]} {a}"
        return f"({guard} and {test})"
    guard = f"_isinstance(_v := {value}, _str)"
    tests = {"eq": f"_v == {a}", "ne": f"_v != {a}", "in": f"_v in {a}", "not_in": f"_v not in {a}"}
    return f"({guard} and {tests[op]})"


# ----------------------------------------------------------------------------- environment
def compile_environment(src: Source, derived: Sequence[Derived]) -> Callable[[Any], dict[str, Any]]:
    """`environment(record)`: params, then answers, then each derived variable in order."""
    lines = [
        "def environment(record):",
        "    env = _dict(record.params)",
        "    env.update(record.answers)",
        "    _g = env.get",
    ]
    for d in derived:
        target = f"env[{src.const(d.id)}]"
        if d.calc is not None:
            lines.append(f"    {target} = {src.const(derived_value)}({src.const(d)}, env)")
            continue
        if d.count is not None:
            lines.append(f"    _v = _g({src.const(d.count)})")
            lines.append(f"    {target} = _len(_v) if _isinstance(_v, _list) and _v else None")
            continue
        keyword = "if"
        for case in d.cases:
            value = (
                f"_copied(_g({src.const(case.copy)}))"
                if case.copy is not None
                else src.const(case.value)
            )
            if case.when is None:
                if keyword == "if":
                    lines.append(f"    {target} = {value}")
                else:
                    lines += ["    else:", f"        {target} = {value}"]
                break
            lines.append(f"    {keyword} {condition_expr(src, case.when.node)}:")
            lines.append(f"        {target} = {value}")
            keyword = "elif"
        else:
            if keyword == "if":
                lines.append(f"    {target} = None")
            else:
                lines += ["    else:", f"        {target} = None"]
    lines.append("    return env")
    return src.compile(lines, "environment")


# ----------------------------------------------------------------------------- rows
class RowSource:
    """Collects the cell expressions of a row, in order."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.items: list[str] = []

    def meta(self, getter: Callable[[Any], Any]) -> None:
        """A metadata cell computed from the record by a function."""
        self.items.append(f"{self.src.const(getter)}(record)")

    def attribute(self, name: str) -> None:
        """A record field as is (`record.id`)."""
        assert name.isidentifier()
        self.items.append(f"record.{name}")

    def code(self, key: str, mapping: Mapping[Any, Any]) -> None:
        """A code cell: one lookup (KeyError or TypeError sends the row to the general path)."""
        self.items.append(f"{self.src.const(mapping)}[_g({self.src.const(key)}, _A)]")

    def flags(
        self, key: str, codes: Sequence[str], absent: list, blank: list, on: Any, off: Any
    ) -> None:
        """The 0/1 columns of a multiple choice with no option condition."""
        c = self.src.const
        yes, no = c(on), c(off)
        cells = ", ".join(f"{yes} if {c(code)} in _v else {no}" for code in codes)
        self.items.append(
            f"*({c(absent)} if (_v := _g({c(key)}, _A)) is _A "
            f"else {c(blank)} if not _isinstance(_v, _list) else ({cells},))"
        )

    def matrix(self, key: str, rows: Sequence[tuple[str, Mapping[Any, Any]]], absent: list) -> None:
        """Matrix rows without row conditions: an unanswered row is -99 through the mapping."""
        c = self.src.const
        first, *others = rows
        cells = [
            f"{c(first[1])}[(_w := _v if _isinstance(_v, _dict) else {c({})}).get({c(first[0])})]"
        ]
        cells += [f"{c(mapping)}[_w.get({c(row)})]" for row, mapping in others]
        self.items.append(
            f"*({c(absent)} if (_v := _g({c(key)}, _A)) is _A else [{', '.join(cells)}])"
        )

    def text(self, key: str, encode: Callable[[str], Any], blank: Any) -> None:
        """A free-text cell: empty, blank (-99) or the encoded text (only then a call)."""
        c = self.src.const
        self.items.append(
            f"(None if (_v := _g({c(key)}, _A)) is _A else {c(blank)} if _v is None or _v == '' "
            f"else {c(encode)}(_v if _isinstance(_v, _str) else _str(_v)))"
        )

    def number(self, key: str, encode: Callable[[Any], Any], blank: Any) -> None:
        """A number cell: empty, blank (-99, or empty for a derived number) or the number."""
        c = self.src.const
        self.items.append(
            f"(None if (_v := _g({c(key)}, _A)) is _A else {c(blank)} if _v is None "
            f"else {c(encode)}(_v))"
        )

    def order(self, key: str) -> None:
        """The codes shown, space-separated (a code that is not text: the general path)."""
        c = self.src.const
        self.items.append(f"(_space.join(_v) if _isinstance(_v := _g({c(key)}), _list) else None)")

    def param(self, key: str, mapping: Mapping[Any, Any]) -> None:
        """A parameter's code (None -> empty through the mapping)."""
        c = self.src.const
        self.items.append(f"{c(mapping)}[record.params.get({c(key)})]")

    def part(self, part: Callable[[Any], Sequence[Any]]) -> None:
        """Any other group of cells, produced by one of the general path's parts."""
        self.items.append(f"*{self.src.const(part)}(env)")

    def compile(self, absent: Any) -> Callable[[Any, Any], list[Any]]:
        """`row(record, env)`."""
        self.src.namespace["_A"] = absent
        body = ",\n        ".join(self.items)
        lines = [
            "def row(record, env):",
            "    _g = env.get",
            f"    return [\n        {body},\n    ]",
        ]
        return self.src.compile(lines, "row")
