"""The XPath subset of XLSForm `relevant`, `constraint` and `choice_filter` cells.

A small hand-written recursive-descent parser (no eval, no expression library). It accepts:

    expr    := and ('or' and)*
    and     := cmp ('and' cmp)*
    cmp     := primary (('=' | '!=' | '<' | '<=' | '>' | '>=') primary)?
    primary := '(' expr ')' | NAME '(' [expr (',' expr)*] ')' | '${' NAME '}'
             | STRING | NUMBER | '-' NUMBER | '.' | NAME

and nothing else: arithmetic, paths, predicates and chained comparisons are syntax errors.
Every node and every error carries the 0-based character offset in the cell, so messages can
say "character 14". What the tree *means* is decided by `conditions.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FLIP = {"=": "=", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


class XPathError(ValueError):
    """A syntax error (or unsupported construct) at a character offset of the cell."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


# ---------------------------------------------------------------------- tree
@dataclass(frozen=True, slots=True)
class Ref:
    """`${name}`."""

    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Str:
    """A quoted string literal."""

    value: str
    pos: int


@dataclass(frozen=True, slots=True)
class Num:
    """A number literal (int or float)."""

    value: int | float
    text: str
    pos: int


@dataclass(frozen=True, slots=True)
class Dot:
    """`.`: the current field (constraints)."""

    pos: int


@dataclass(frozen=True, slots=True)
class Name:
    """A bare name, such as `name` in `selected(${q}, name)` (choice filters)."""

    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    """A function call."""

    name: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Cmp:
    """A comparison."""

    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class And:
    """`a and b and …` (a chain without parentheses is one node)."""

    items: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Or:
    """`a or b or …`."""

    items: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Group:
    """A parenthesised expression (kept, so nesting written by the author is kept)."""

    expr: Node
    pos: int


Node = Ref | Str | Num | Dot | Name | Call | Cmp | And | Or | Group


# ---------------------------------------------------------------------- tokens
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[^}\s]*)\s*\})
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<punct>[(),])
  | (?P<name>[A-Za-z_][A-Za-z0-9_.:-]*)
  | (?P<dot>\.)
  | (?P<minus>-)
  | (?P<other>.)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int
    value: str = ""


def tokenize(text: str) -> list[Token]:
    """The tokens of a cell; raises XPathError on a character outside the subset."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "ws":
            continue
        pos = match.start()
        raw = match.group()
        if kind == "ref":
            tokens.append(Token("ref", raw, pos, match.group("refname")))
        elif kind == "str":
            tokens.append(Token("str", raw, pos, raw[1:-1]))
        elif kind == "other":
            if raw in "'\"":
                raise XPathError("unterminated string (a quote is not closed)", pos)
            if raw in "+*|/[]@":
                raise XPathError(_unsupported(raw), pos)
            raise XPathError(f"unexpected character {raw!r}", pos)
        else:
            tokens.append(Token(kind, raw, pos))
    tokens.append(Token("end", "", len(text)))
    return tokens


def _unsupported(symbol: str) -> str:
    if symbol in "+-*":
        return f"arithmetic ('{symbol}') is not supported in conditions"
    return f"'{symbol}' (XPath paths, predicates and unions) is not supported"


# ---------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def is_word(self, word: str) -> bool:
        return self.tok.kind == "name" and self.tok.text == word

    def expect(self, text: str, what: str) -> Token:
        if self.tok.text != text or self.tok.kind not in ("punct",):
            raise XPathError(f"expected {what}, found {self._describe(self.tok)}", self.tok.pos)
        return self.take()

    @staticmethod
    def _describe(token: Token) -> str:
        return "the end of the cell" if token.kind == "end" else f"'{token.text}'"

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise XPathError("the expression is empty", 0)
        node = self.parse_or()
        if self.tok.kind != "end":
            token = self.tok
            if token.kind == "name" and token.text in ("div", "mod"):
                raise XPathError(f"arithmetic ('{token.text}') is not supported", token.pos)
            if token.kind == "op":
                raise XPathError("chained comparisons are not supported", token.pos)
            if token.kind == "minus":
                raise XPathError(_unsupported("-"), token.pos)
            message = f"unexpected '{token.text}' (a missing 'and' / 'or'?)"
            if token.text == ")":
                message = "unbalanced ')': no '(' opens it"
            raise XPathError(message, token.pos)
        return node

    def parse_or(self) -> Node:
        start = self.tok.pos
        items = [self.parse_and()]
        while self.is_word("or"):
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items), start)

    def parse_and(self) -> Node:
        start = self.tok.pos
        items = [self.parse_cmp()]
        while self.is_word("and"):
            self.take()
            items.append(self.parse_cmp())
        return items[0] if len(items) == 1 else And(tuple(items), start)

    def parse_cmp(self) -> Node:
        left = self.parse_primary()
        if self.tok.kind != "op":
            return left
        op = self.take()
        right = self.parse_primary()
        return Cmp(op.text, left, right, op.pos)

    def parse_primary(self) -> Node:
        token = self.tok
        if token.kind == "punct" and token.text == "(":
            self.take()
            inner = self.parse_or()
            if self.tok.kind == "end":
                raise XPathError("unbalanced '(': it is never closed", token.pos)
            self.expect(")", "')'")
            return Group(inner, token.pos)
        if token.kind == "ref":
            self.take()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", token.value):
                raise XPathError(f"'{token.text}' is not a valid reference", token.pos)
            return Ref(token.value, token.pos)
        if token.kind == "str":
            self.take()
            return Str(token.value, token.pos)
        if token.kind == "num":
            self.take()
            return _number(token.text, token.pos)
        if token.kind == "minus":
            self.take()
            if self.tok.kind != "num":
                raise XPathError(_unsupported("-"), token.pos)
            num = self.take()
            return _number("-" + num.text, token.pos)
        if token.kind == "dot":
            self.take()
            return Dot(token.pos)
        if token.kind == "name":
            if token.text in ("and", "or", "div", "mod"):
                raise XPathError(f"'{token.text}' needs an expression before it", token.pos)
            self.take()
            if self.tok.kind == "punct" and self.tok.text == "(":
                return self.parse_call(token)
            return Name(token.text, token.pos)
        if token.kind == "end":
            raise XPathError("the expression ends too early", token.pos)
        raise XPathError(f"unexpected '{token.text}'", token.pos)

    def parse_call(self, name: Token) -> Call:
        self.expect("(", "'('")
        args: list[Node] = []
        if not (self.tok.kind == "punct" and self.tok.text == ")"):
            args.append(self.parse_or())
            while self.tok.kind == "punct" and self.tok.text == ",":
                self.take()
                args.append(self.parse_or())
        if self.tok.kind == "end":
            raise XPathError(f"unbalanced '(': the call to {name.text}() is never closed", name.pos)
        self.expect(")", "',' or ')'")
        return Call(name.text, tuple(args), name.pos)


def _number(text: str, pos: int) -> Num:
    value: int | float = float(text) if "." in text else int(text)
    return Num(value, text, pos)


def parse(text: str) -> Node:
    """Parse one cell; raises XPathError (message and character offset) when it cannot."""
    return _Parser(text).parse()
