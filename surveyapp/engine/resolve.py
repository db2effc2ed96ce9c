"""Resolving references: the table of variables and the typed arguments of conditions."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace

from .expressions import (
    CODE_OPS,
    COUNT_OPS,
    LIST_OPS,
    NUMBER_OPS,
    SET_OPS,
    Condition,
    Leaf,
    Other,
    compile_node,
    map_leaves,
)
from .model import Derived, Parameter, Question, VarInfo
from .problems import Problem
from .questions import IntegerType
from .reader import Reader
from .yamlsource import YScalar

#: Operators allowed on each kind of value (`answered` is allowed on every kind).
KIND_OPS = {
    "code": CODE_OPS,
    "set": SET_OPS,
    "number": NUMBER_OPS,
    "text": frozenset(),
    "consent": frozenset(),
    "matrix": frozenset(),
}


def question_var(q: Question) -> VarInfo:
    """What conditions know about a question."""
    kind = q.kind.value_kind
    low = high = None
    if isinstance(q.kind, IntegerType):
        low, high = q.kind.min, q.kind.max
    return VarInfo(
        q.id,
        "question",
        kind,
        q.page_index,
        tuple(o.code for o in q.options),
        tuple(r.code for r in q.rows),
        low,
        high,
    )


def parameter_var(p: Parameter) -> VarInfo:
    """What conditions know about a parameter (known before the first page)."""
    kind = "code" if p.type == "single" else "text"
    return VarInfo(p.id, "parameter", kind, -1, tuple(o.code for o in p.options))


def derived_var(d: Derived, page: int) -> VarInfo:
    """What conditions know about a derived variable."""
    kind = {"single": "code", "text": "text"}.get(d.type, "number")
    return VarInfo(d.id, "derived", kind, page, tuple(o.code for o in d.options))


def describe(var: VarInfo, questions: Mapping[str, Question]) -> str:
    """'single question 'q1'', 'derived variable 'x'', 'parameter 'src''."""
    if var.source == "question":
        return f"{questions[var.id].type} question '{var.id}'"
    if var.source == "derived":
        return f"derived variable '{var.id}'"
    return f"parameter '{var.id}'"


class Resolver:
    """Checks each leaf against the variable table and converts its argument."""

    def __init__(
        self, reader: Reader, variables: Mapping[str, VarInfo], questions: Mapping[str, Question]
    ) -> None:
        self.reader = reader
        self.variables = variables
        self.questions = questions
        self._done: dict[int, Condition | None] = {}

    def resolve(self, cond: Condition | None) -> Condition | None:
        """The compiled condition, or None if it has errors (reported once)."""
        if cond is None:
            return None
        key = id(cond)
        if key not in self._done:
            ok = [True]
            node = map_leaves(cond.node, lambda leaf: self._leaf(leaf, ok))
            self._done[key] = replace(cond, node=node, test=compile_node(node)) if ok[0] else None
        return self._done[key]

    def resolved(self) -> list[Condition]:
        """Every condition resolved without error."""
        return [cond for cond in self._done.values() if cond is not None]

    def _leaf(self, leaf: Leaf, ok: list[bool]) -> Leaf:
        resolved = self._resolve_leaf(leaf)
        if resolved is None:
            ok[0] = False
            return leaf
        return resolved

    def _error(self, leaf: Leaf, message: str, rule: str) -> None:
        self.reader.problems.append(_problem(self.reader, leaf, message, rule, "error"))

    def _warn(self, leaf: Leaf, message: str, rule: str) -> None:
        self.reader.warnings.append(_problem(self.reader, leaf, message, rule, "warning"))

    def _resolve_leaf(self, leaf: Leaf) -> Leaf | None:
        var = self.variables.get(leaf.ref)
        if var is None:
            hint = difflib.get_close_matches(leaf.ref, list(self.variables), n=1)
            extra = f" (did you mean '{hint[0]}'?)" if hint else ""
            self._error(leaf, f"unknown question '{leaf.ref}'{extra}", "unknown-reference")
            return None
        kind, codes = var.kind, var.codes
        if leaf.row is not None:
            if var.kind != "matrix":
                message = f"'{leaf.ref}' is not a matrix: '{leaf.var}' names no row"
                self._error(leaf, message, "unknown-reference")
                return None
            if leaf.row not in var.rows:
                self._error(leaf, f"no row '{leaf.row}' in {leaf.ref}", "unknown-reference")
                return None
            kind = "code"
        if kind == "note":
            self._error(leaf, f"'{leaf.ref}' is a note: it has no answer", "operator")
            return None
        if leaf.op == "answered":
            return self._answered(leaf)
        if isinstance(leaf.arg, Other):
            return self._compare(leaf, var, kind)
        if leaf.op not in KIND_OPS[kind]:
            what = describe(var, self.questions)
            if leaf.row is not None:
                what = f"matrix row '{leaf.var}'"
            self._error(leaf, f"operator '{leaf.op}' does not apply to {what}", "operator")
            return None
        if kind == "number":
            return self._number(leaf, var)
        return self._codes(leaf, kind, codes)

    def _compare(self, leaf: Leaf, var: VarInfo, kind: str) -> Leaf | None:
        """`{q: a, lte: {q: b}}`: two numbers (any comparison) or two codes (eq, ne)."""
        other = self.variables.get(leaf.arg.ref)
        if other is None:
            self._error(leaf, f"unknown question '{leaf.arg.ref}'", "unknown-reference")
            return None
        kinds = {kind, other.kind}
        if kinds == {"number"} or (kinds == {"code"} and leaf.op in ("eq", "ne")):
            return replace(leaf, kind="compare")
        what = f"{describe(var, self.questions)} with {describe(other, self.questions)}"
        if leaf.row is not None:
            what = f"matrix row '{leaf.var}' with {describe(other, self.questions)}"
        message = f"'{leaf.op}' cannot compare {what}: two numbers, or two codes with eq / ne"
        self._error(leaf, message, "operator")
        return None

    def _answered(self, leaf: Leaf) -> Leaf | None:
        arg = leaf.arg
        if isinstance(arg, YScalar) and arg.tag == "bool" and arg.raw in ("true", "false"):
            return replace(leaf, arg=bool(arg.value), kind="any")
        self._error(leaf, "answered takes true or false", "type")
        return None

    def _number(self, leaf: Leaf, var: VarInfo) -> Leaf | None:
        value = self.reader.number(leaf.arg, leaf.path + "." + leaf.op, leaf.op)
        if value is None:
            return None
        low, high = var.minimum, var.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"{'' if low is None else low}..{'' if high is None else high}"
            self._warn(
                leaf, f"literal {value} is outside the range {bounds} of '{var.id}'", "range"
            )
        return replace(leaf, arg=value, kind="number")

    def _codes(self, leaf: Leaf, kind: str, codes: tuple[str, ...]) -> Leaf | None:
        path = leaf.path + "." + leaf.op
        if leaf.op in COUNT_OPS:
            count = self.reader.integer(leaf.arg, path, leaf.op, minimum=0)
            if count is not None and count > len(codes):
                message = f"count {count} is more than the {len(codes)} options of '{leaf.ref}'"
                self._warn(leaf, message, "range")
            return None if count is None else replace(leaf, arg=count, kind=kind)
        scalars = leaf.arg if leaf.op in LIST_OPS else (leaf.arg,)
        found: list[str] = []
        for scalar in scalars:
            code = self.reader.code(scalar, path)
            if code is None:
                return None
            if code not in codes:
                self._error(
                    leaf, f"code '{code}' is not an option of '{leaf.var}'", "unknown-option"
                )
                return None
            found.append(code)
        arg: object = frozenset(found) if leaf.op in LIST_OPS else found[0]
        return replace(leaf, arg=arg, kind=kind)


def _problem(reader: Reader, leaf: Leaf, message: str, rule: str, severity: str) -> Problem:
    return Problem(reader.source, leaf.line, leaf.column, leaf.path, message, rule, severity)


def derived_deps(d: Derived) -> set[str]:
    """Ids a derived variable reads."""
    deps: set[str] = set()
    for case in d.cases:
        if case.when is not None:
            deps |= case.when.refs
        if case.copy is not None:
            deps.add(case.copy)
    if d.count is not None:
        deps.add(d.count)
    if d.calc is not None:
        deps |= d.calc.names
    return deps
