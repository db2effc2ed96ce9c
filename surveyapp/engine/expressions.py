"""The condition language: a declarative tree parsed once and compiled to closures.

cond := {all: [cond, ...]} | {any: [cond, ...]} | {not: cond} | leaf
leaf := {q: <id>[.<matrix row>], <operator>: <argument>}
      | {q: <id>, <eq|ne|gt|gte|lt|lte>: {q: <other id>}}   (two answers compared)

An unanswered or hidden question is null; every operator except `answered` is false on null;
`not` is plain negation. Nothing here evaluates text as code: the evaluator is a table of
small predicates over plain values, applied to `env.get(id)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from surveyapp.domain import Op

from .limits import MAX_CONDITION_DEPTH
from .reader import Reader, join
from .yamlsource import YMap, YNode, YScalar

Env = Mapping[str, Any]
Test = Callable[[Env], bool]

CODE_OPS = frozenset({Op.EQ, Op.NE, Op.IN, Op.NOT_IN})
SET_OPS = frozenset(
    {Op.HAS, Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE, Op.COUNT_EQ, Op.COUNT_GTE, Op.COUNT_LTE}
)
NUMBER_OPS = frozenset({Op.EQ, Op.NE, Op.GT, Op.GTE, Op.LT, Op.LTE})
OPERATORS = frozenset(Op)
LIST_OPS = frozenset({Op.IN, Op.NOT_IN, Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE})
COUNT_OPS = frozenset({Op.COUNT_EQ, Op.COUNT_GTE, Op.COUNT_LTE})


@dataclass(frozen=True, slots=True)
class Other:
    """The argument `{q: other}` of a comparison between two answers."""

    ref: str

    def __str__(self) -> str:
        return self.ref


@dataclass(frozen=True, slots=True)
class Leaf:
    """`{q: ref[.row], op: arg}`; `kind` is set when the reference is resolved."""

    ref: str
    row: str | None
    op: str
    arg: Any
    path: str
    line: int
    column: int
    kind: str = ""

    @property
    def var(self) -> str:
        """The referenced id with its row, as written."""
        return f"{self.ref}.{self.row}" if self.row is not None else self.ref

    @property
    def refs(self) -> frozenset[str]:
        """The ids the leaf reads: its own, and the other answer of a comparison."""
        other = self.arg.ref if isinstance(self.arg, Other) else None
        return frozenset({self.ref} if other is None else {self.ref, other})


@dataclass(frozen=True, slots=True)
class AllOf:
    """True when every item is true."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when at least one item is true."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """Plain negation."""

    item: Node


Node = Leaf | AllOf | AnyOf | Not


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed condition with its compiled test; call it with an environment mapping."""

    node: Node
    path: str
    line: int
    column: int
    test: Test | None = None

    def __call__(self, env: Env) -> bool:
        assert self.test is not None, "condition used before compilation"
        return self.test(env)

    @property
    def refs(self) -> frozenset[str]:
        """Ids referenced (without matrix rows)."""
        return frozenset(ref for leaf in leaves(self.node) for ref in leaf.refs)

    def key(self) -> str:
        """A structural key: equal for conditions written the same way."""
        return structural_key(self.node)


def leaves(node: Node) -> list[Leaf]:
    """Every leaf of a condition tree."""
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Not):
        return leaves(node.item)
    return [leaf for item in node.items for leaf in leaves(item)]


def structural_key(node: Node) -> str:
    """A canonical text form of the tree (ignores locations)."""
    if isinstance(node, Leaf):
        arg = sorted(node.arg) if isinstance(node.arg, frozenset) else node.arg
        return f"({node.var} {node.op} {arg!r})"
    if isinstance(node, Not):
        return f"(not {structural_key(node.item)})"
    word = "all" if isinstance(node, AllOf) else "any"
    return f"({word} {' '.join(structural_key(i) for i in node.items)})"


def map_leaves(node: Node, fn: Callable[[Leaf], Leaf]) -> Node:
    """A copy of the tree with every leaf replaced by fn(leaf)."""
    if isinstance(node, Leaf):
        return fn(node)
    if isinstance(node, Not):
        return Not(map_leaves(node.item, fn))
    return type(node)(tuple(map_leaves(i, fn) for i in node.items))


# ---------------------------------------------------------------------- parsing
def parse_condition(reader: Reader, node: YNode | None, path: str) -> Condition | None:
    """Parse a condition; structural errors are reported to the reader."""
    tree = _parse(reader, node, path)
    if tree is None or node is None:
        return None
    return Condition(tree, path, node.line, node.column)


def _parse(reader: Reader, node: YNode | None, path: str, depth: int = 0) -> Node | None:
    mapping = reader.mapping(node, path, "a condition ({all|any|not: …} or {q: …, <op>: …})")
    if mapping is None:
        return None
    keys = [k.raw for k, _ in mapping.items]
    for word in ("all", "any", "not"):
        if word in keys:
            if len(keys) != 1:
                message = f"'{word}' must be the only key of its condition"
                reader.error(mapping, path, message, "unknown-key")
                return None
            if depth >= MAX_CONDITION_DEPTH:
                message = f"conditions may nest at most {MAX_CONDITION_DEPTH} all/any/not"
                reader.error(mapping, path, message, "limit")
                return None
            value = mapping.get(word)
            return _parse_group(reader, word, value, join(path, word), depth + 1)
    return _parse_leaf(reader, mapping, path)


def _parse_group(
    reader: Reader, word: str, value: YNode | None, path: str, depth: int
) -> Node | None:
    if word == "not":
        inner = _parse(reader, value, path, depth)
        return Not(inner) if inner is not None else None
    seq = reader.sequence(value, path, f"a non-empty list of conditions after '{word}'")
    if seq is None:
        return None
    if not seq.items:
        reader.error(seq, path, f"'{word}' needs at least one condition", "value")
        return None
    items = [_parse(reader, item, join(path, i), depth) for i, item in enumerate(seq.items)]
    if any(item is None for item in items):
        return None
    group = AllOf if word == "all" else AnyOf
    return group(tuple(item for item in items if item is not None))  # none is None here


def _parse_leaf(reader: Reader, mapping: YMap, path: str) -> Leaf | None:
    fields = reader.fields(mapping, path, {"q"} | OPERATORS, required=("q",))
    ops = [name for name in fields if name != "q"]
    if len(ops) != 1:
        message = "a condition needs exactly one operator" + (f", not {len(ops)}" if ops else "")
        reader.error(mapping, path, message, "operator")
        return None
    ref_text = reader.string(fields.get("q"), join(path, "q"), "q") if "q" in fields else None
    if ref_text is None:
        return None
    ref, _, row = ref_text.partition(".")
    op = ops[0]
    arg = _parse_arg(reader, op, fields[op], join(path, op))
    if arg is None:
        return None
    return Leaf(ref, row or None, op, arg, path, mapping.line, mapping.column)


def _parse_arg(reader: Reader, op: str, node: YNode, path: str) -> Any:
    """The raw argument: a YScalar, or a tuple of YScalars for list operators."""
    if op in LIST_OPS:
        seq = reader.sequence(node, path, f"a non-empty list after '{op}'")
        if seq is None:
            return None
        if not seq.items or not all(isinstance(i, YScalar) for i in seq.items):
            reader.error(seq, path, f"'{op}' needs a non-empty list of codes", "value")
            return None
        return tuple(seq.items)
    if isinstance(node, YMap) and op in NUMBER_OPS:
        fields = reader.fields(node, path, {"q"}, required=("q",))
        other = reader.string(fields.get("q"), join(path, "q"), "q") if "q" in fields else None
        return Other(other) if other is not None else None
    if not isinstance(node, YScalar):
        reader.error(node, path, f"'{op}' needs a single value or {{q: <id>}}", "value")
        return None
    return node


# ---------------------------------------------------------------------- evaluation
def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def value_test(op: str, arg: Any, kind: str) -> Callable[[Any], bool]:
    """The predicate on one value for a resolved operator and argument."""
    if op == "answered":
        return lambda v: (v is not None) is arg
    if kind == "number":
        return _number_test(op, arg)
    if kind == "set":
        return _set_test(op, arg)
    return _code_test(op, arg)


def _code_test(op: str, arg: Any) -> Callable[[Any], bool]:
    if op == "eq":
        return lambda v: isinstance(v, str) and v == arg
    if op == "ne":
        return lambda v: isinstance(v, str) and v != arg
    if op == "in":
        return lambda v: isinstance(v, str) and v in arg
    return lambda v: isinstance(v, str) and v not in arg


def _number_test(op: str, arg: Any) -> Callable[[Any], bool]:
    compare: dict[str, Callable[[Any], bool]] = {
        Op.EQ: lambda v: v == arg,
        Op.NE: lambda v: v != arg,
        Op.GT: lambda v: v > arg,
        Op.GTE: lambda v: v >= arg,
        Op.LT: lambda v: v < arg,
        Op.LTE: lambda v: v <= arg,
    }
    test = compare[op]
    return lambda v: _is_number(v) and test(v)


def _set_test(op: str, arg: Any) -> Callable[[Any], bool]:
    tests: dict[str, Callable[[list[str]], bool]] = {
        "has": lambda v: arg in v,
        "has_any": lambda v: not arg.isdisjoint(v),
        "has_all": lambda v: arg.issubset(v),
        "has_none": lambda v: arg.isdisjoint(v),
        "count_eq": lambda v: len(v) == arg,
        "count_gte": lambda v: len(v) >= arg,
        "count_lte": lambda v: len(v) <= arg,
    }
    test = tests[op]
    return lambda v: isinstance(v, list) and test(v)


def leaf_value(leaf: Leaf, env: Env) -> Any:
    """The value a leaf looks at: the answer, or one row of a matrix answer."""
    value = env.get(leaf.ref)
    if leaf.row is None:
        return value
    return value.get(leaf.row) if isinstance(value, dict) else None


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def compare_values(op: str, a: Any, b: Any) -> bool:
    """Two answers compared: both numbers, or (eq/ne) both codes; false when either is null."""
    if _is_number(a) and _is_number(b):
        return _COMPARE[op](a, b)
    if op in ("eq", "ne") and isinstance(a, str) and isinstance(b, str):
        return _COMPARE[op](a, b)
    return False


def compile_node(node: Node) -> Test:
    """Compile a resolved tree to a closure over an environment mapping."""
    if isinstance(node, Leaf) and isinstance(node.arg, Other):
        op, leaf, other = node.op, node, node.arg.ref
        return lambda env: compare_values(op, leaf_value(leaf, env), env.get(other))
    if isinstance(node, Leaf):
        test = value_test(node.op, node.arg, node.kind)
        ref, row = node.ref, node.row
        if row is None:
            return lambda env: test(env.get(ref))

        def row_test(env: Env) -> bool:
            value = env.get(ref)
            return test(value.get(row) if isinstance(value, dict) else None)

        return row_test
    if isinstance(node, Not):
        inner = compile_node(node.item)
        return lambda env: not inner(env)
    parts = tuple(compile_node(item) for item in node.items)
    if isinstance(node, AllOf):
        return lambda env: all(part(env) for part in parts)
    return lambda env: any(part(env) for part in parts)


def evaluate3(node: Node, env: Env, unknown: frozenset[str]) -> bool | None:
    """Kleene three-valued evaluation: None when the result depends on unknown ids."""
    if isinstance(node, Leaf):
        if not unknown.isdisjoint(node.refs):
            return None
        if isinstance(node.arg, Other):
            return compare_values(node.op, leaf_value(node, env), env.get(node.arg.ref))
        return value_test(node.op, node.arg, node.kind)(leaf_value(node, env))
    if isinstance(node, Not):
        inner = evaluate3(node.item, env, unknown)
        return None if inner is None else not inner
    results = [evaluate3(item, env, unknown) for item in node.items]
    decisive = isinstance(node, AnyOf)  # any: a True decides; all: a False decides
    if decisive in results:
        return decisive
    if None in results:
        return None
    return not decisive


__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "Leaf",
    "Node",
    "Not",
    "Other",
    "compare_values",
    "compile_node",
    "evaluate3",
    "leaves",
    "parse_condition",
]
