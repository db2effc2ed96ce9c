"""The syntax of calculations: tokens, a recursive-descent parser, the tree (see `calc`).

    expr := or;  or := and ('or' and)*;  and := cmp ('and' cmp)*
    cmp  := add (('=' | '!=' | '<' | '<=' | '>' | '>=') add)?
    add  := mul (('+' | '-') mul)*;  mul := unary (('*' | 'div' | 'mod') unary)*
    unary := '-' unary | primary
    primary := NUMBER | 'text' | "text" | id | ${name} | name '(' [expr, ...] ')' | '(' expr ')'

Every node keeps its 0-based character offset, so errors say where they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_LENGTH = 2000
MAX_DEPTH = 40
ARITH = ("+", "-", "*", "div", "mod")
COMPARE = ("=", "!=", "<", "<=", ">", ">=")
#: function -> (minimum, maximum number of arguments; None = any)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "if": (3, 3),
    "coalesce": (2, None),
    "count-selected": (1, 1),
    "selected": (2, 2),
    "sum": (1, None),
    "min": (1, None),
    "max": (1, None),
    "round": (1, 2),
    "int": (1, 1),
    "abs": (1, 1),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "concat": (1, None),
    "normalize-space": (1, 1),
}


class CalcError(ValueError):
    """A syntax or type error at a character offset (0-based) of the expression."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


# ---------------------------------------------------------------------- tree
@dataclass(frozen=True, slots=True)
class Lit:
    value: int | float | str
    pos: int


@dataclass(frozen=True, slots=True)
class Ref:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Neg:
    item: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Bin:
    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]
    pos: int


Node = Lit | Ref | Neg | Bin | Call


# ---------------------------------------------------------------------- tokens
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][A-Za-z0-9_.\-]*)\s*\})
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*)
  | (?P<punct>[(),])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    found = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        raw, pos = m.group(), m.start()
        if kind == "ws":
            continue
        if kind == "other":
            if raw in "'\"":
                raise CalcError("unterminated string (a quote is not closed)", pos)
            if raw == "/":
                raise CalcError("write 'div' to divide ('/' is not an operator)", pos)
            if raw == "$":
                raise CalcError("a reference is written ${name}", pos)
            raise CalcError(f"unexpected character {raw!r}", pos)
        value = m.group("refname") if kind == "ref" else raw
        found.append((kind, value, pos))
    found.append(("end", "", len(text)))
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        self.i += 1
        return self.tokens[self.i - 1]

    def at(self, kind: str, *values: str) -> bool:
        k, v, _ = self.peek()
        return k == kind and (not values or v in values)

    def expect(self, value: str, what: str) -> None:
        kind, text, pos = self.peek()
        if kind != "punct" or text != value:
            found = "the end" if kind == "end" else f"'{text}'"
            raise CalcError(f"expected {what}, found {found}", pos)
        self.take()

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CalcError(f"the expression nests deeper than {MAX_DEPTH} levels", self.peek()[2])
        node = self.chain(("or",), lambda: self.chain(("and",), self.compare))
        self.depth -= 1
        return node

    def chain(self, words: tuple[str, ...], sub: Callable[[], Node]) -> Node:
        node = sub()
        while self.at("name", *words):
            _, word, pos = self.take()
            node = Bin(word, node, sub(), pos)
        return node

    def compare(self) -> Node:
        node = self.additive()
        if self.at("op", *COMPARE):
            _, op, pos = self.take()
            node = Bin(op, node, self.additive(), pos)
            if self.at("op", *COMPARE):
                raise CalcError("chained comparisons: use 'and'", self.peek()[2])
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.at("op", "+", "-"):
            _, op, pos = self.take()
            node = Bin(op, node, self.multiplicative(), pos)
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.at("op", "*") or self.at("name", "div", "mod"):
            _, op, pos = self.take()
            node = Bin(op, node, self.unary(), pos)
        return node

    def unary(self) -> Node:
        if self.at("op", "-"):
            pos = self.take()[2]
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CalcError(f"the expression nests deeper than {MAX_DEPTH} levels", pos)
            node = Neg(self.unary(), pos)
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        kind, text, pos = self.take()
        if kind == "num":
            return Lit(float(text) if "." in text else int(text), pos)
        if kind == "str":
            return Lit(text[1:-1], pos)
        if kind == "ref":
            return Ref(text, pos)
        if kind == "punct" and text == "(":
            node = self.expr()
            self.expect(")", "')'")
            return node
        if kind == "name":
            if self.at("punct", "("):
                return self.call(text, pos)
            if text in ("and", "or", "div", "mod"):
                raise CalcError(f"'{text}' needs an operand before it", pos)
            if "-" in text:
                message = f"'{text}': write spaces around '-' to subtract"
                raise CalcError(message, pos)
            return Ref(text, pos)
        if kind == "end":
            raise CalcError("the expression ends too early", pos)
        raise CalcError(f"unexpected '{text}'", pos)

    def call(self, name: str, pos: int) -> Call:
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise CalcError(f"unknown function {name}() (known: {known})", pos)
        self.expect("(", "'('")
        args: list[Node] = []
        if not self.at("punct", ")"):
            args.append(self.expr())
            while self.at("punct", ","):
                self.take()
                args.append(self.expr())
        self.expect(")", "',' or ')'")
        low, high = FUNCTIONS[name]
        if len(args) < low or (high is not None and len(args) > high):
            count = (
                f"{low}" if low == high else f"at least {low}" if high is None else f"{low}-{high}"
            )
            raise CalcError(f"{name}() takes {count} argument(s), not {len(args)}", pos)
        return Call(name, tuple(args), pos)


def parse(text: str) -> Node:
    """The tree of an expression; CalcError (message, offset) when it cannot be read."""
    if len(text) > MAX_LENGTH:
        raise CalcError(f"a calculation is at most {MAX_LENGTH} characters", MAX_LENGTH)
    parser = _Parser(text)
    if parser.at("end"):
        raise CalcError("the calculation is empty", 0)
    node = parser.expr()
    kind, value, pos = parser.peek()
    if kind != "end":
        message = (
            "unbalanced ')'" if value == ")" else f"unexpected '{value}' (an operator missing?)"
        )
        raise CalcError(message, pos)
    return node


def refs(node: Node) -> frozenset[str]:
    """The names an expression reads."""
    if isinstance(node, Ref):
        return frozenset({node.name})
    if isinstance(node, Neg):
        return refs(node.item)
    if isinstance(node, Bin):
        return refs(node.left) | refs(node.right)
    if isinstance(node, Call):
        return frozenset().union(*(refs(a) for a in node.args))
    return frozenset()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
    if isinstance(node, Neg):
        return [node, *walk(node.item)]
    if isinstance(node, Bin):
        return [node, *walk(node.left), *walk(node.right)]
    if isinstance(node, Call):
        return [node, *(n for a in node.args for n in walk(a))]
    return [node]


def unparse(node: Node, rename: Callable[[str], str] = lambda n: n) -> str:
    """Canonical text (fully parenthesised binary operations), names passed through rename."""
    if isinstance(node, Lit):
        if isinstance(node.value, str):
            quote = "'" if "'" not in node.value else '"'
            return f"{quote}{node.value}{quote}"
        return repr(node.value)
    if isinstance(node, Ref):
        return rename(node.name)
    if isinstance(node, Neg):
        return f"-{unparse(node.item, rename)}"
    if isinstance(node, Bin):
        return f"({unparse(node.left, rename)} {node.op} {unparse(node.right, rename)})"
    return f"{node.name}({', '.join(unparse(a, rename) for a in node.args)})"
