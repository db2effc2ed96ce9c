"""XPath `relevant` <-> our condition language (docs/schema.md, "Conditions").

Import translates exactly, with XForms semantics: an unanswered question is the empty string,
so `${q} != 'x'` is true when q is unanswered. Our `ne` is false on null, hence
`${q} != 'x'` becomes `{not: {q: q, eq: x}}`, and the export of `{q: q, ne: x}` is
`${q} != 'x' and ${q} != ''`. A few idioms are folded back into one operator (`a = 1 or a = 2`
is `in: [1, 2]`), so that what the export writes imports as the same condition. The exporter
keeps an XPath only when it imports back to exactly the condition it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from surveyapp.domain import Op

from . import xpath
from .xpath import FLIP, And, Call, Cmp, Group, Num, Or, Ref, Str, XPathError

CODE = re.compile(r"(0|[1-9][0-9]*|[a-z][a-z0-9_]*)\Z")
INTEGER = re.compile(r"(0|[1-9][0-9]*)\Z")
NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")

Cond = dict[str, Any]

#: Code of the choice `or_other` adds; in XPath, 'other' (its XLSForm value) names it too.
#: Not `other`: a multiple choice question exports a column `<id>_<code>` per code, and
#: `<id>_other` is already the column of the text typed.
OR_OTHER = "other_choice"


@dataclass(frozen=True, slots=True)
class Var:
    """What a condition may say about a name: the `q:` reference, value kind and codes."""

    ref: str  # `q:` value: id, or id.row for a matrix row
    kind: str  # code | set | number | text | consent | note | matrix
    codes: tuple[int | str, ...] = ()
    xpath_name: str | None = None  # name in ${...} on export; None: not on the survey sheet
    page: int = -1  # index of the page that asks it (-1: parameters, unknown)
    source: str = "question"  # question | derived | parameter | row


@dataclass
class Symbols:
    """The names a condition may use, by XLSForm name (`${name}`) and by `q:` reference."""

    by_name: dict[str, Var] = field(default_factory=dict)
    #: choice names as written -> the codes they became (`project-alpha` -> `project_alpha`)
    code_aliases: dict[str, int | str] = field(default_factory=dict)

    def by_ref(self) -> dict[str, Var]:
        """The variables keyed by their `q:` reference."""
        return {v.ref: v for v in self.by_name.values()}


def code_value(text: str) -> int | str | None:
    """An option code as our schema writes it (int or identifier), or None if invalid."""
    if not CODE.match(text):
        return None
    return int(text) if INTEGER.match(text) else text


# ====================================================================== import
class Translator:
    """Translate a parsed `relevant` into a condition; raises XPathError at a position."""

    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols
        self.refs: list[tuple[Var, int]] = []  # every variable used, with its position
        self.mapped: list[str] = []  # what was read otherwise than written (for warnings)

    def translate(self, text: str) -> Cond:
        """Parse and translate one cell."""
        return self.node(xpath.parse(text))

    def node(self, node: xpath.Node) -> Cond:
        if isinstance(node, Group):
            return self.node(node.expr)
        if isinstance(node, Or):
            return canon_any([self.node(item) for item in node.items])
        if isinstance(node, And):
            return canon_all([self.node(item) for item in node.items])
        if isinstance(node, Cmp):
            return self.comparison(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Ref):
            name = f"${{{node.name}}}"
            message = f"{name} alone is not a condition: compare it, e.g. {name} = 'x'"
            raise XPathError(message, node.pos)
        raise XPathError("this is a value, not a condition", _pos(node))

    def var(self, ref: Ref) -> Var:
        var = self.symbols.by_name.get(ref.name)
        if var is None:
            raise XPathError(f"no question named '{ref.name}' (check the name column)", ref.pos)
        if var.kind == "note":
            raise XPathError(f"${{{ref.name}}} is a note: it has no value to test", ref.pos)
        if var.kind == "matrix":
            message = f"${{{ref.name}}} is a grid: test one of its rows, e.g. ${{{ref.name}_<row>}}"
            raise XPathError(message, ref.pos)
        self.refs.append((var, ref.pos))
        return var

    def call(self, node: Call) -> Cond:
        if node.name == "not":
            _arity(node, 1)
            return {"not": self.node(node.args[0])}
        if node.name == "selected":
            _arity(node, 2)
            subject, literal = node.args
            if not isinstance(subject, Ref):
                raise XPathError("selected() needs a ${question} first", _pos(subject))
            var = self.var(subject)
            code = self.code(var, literal)
            if var.kind == "set":
                return {"q": var.ref, "has": code}
            if var.kind == "code":
                return {"q": var.ref, "eq": code}
            raise XPathError(
                f"selected() needs a select question; ${{{subject.name}}} is not", node.pos
            )
        if node.name == "count-selected":
            raise XPathError("count-selected() must be compared with a number", node.pos)
        supported = "selected(), count-selected(), not()"
        raise XPathError(f"function {node.name}() is not supported (only {supported})", node.pos)

    def code(self, var: Var, literal: xpath.Node) -> int | str:
        if isinstance(literal, Num) and isinstance(literal.value, int):
            text = str(literal.value)
        elif isinstance(literal, Str):
            text = literal.value
        else:
            raise XPathError("expected a choice name in quotes, e.g. 'yes'", _pos(literal))
        code = code_value(text)
        if code is None or (var.codes and code not in var.codes):
            code = self.symbols.code_aliases.get(text, code)
        if code == "other" and "other" not in var.codes and OR_OTHER in var.codes:
            code = OR_OTHER
        if code is None:
            message = f"'{text}' is not a valid choice name (lower-case identifier or number)"
            raise XPathError(message, _pos(literal))
        if var.codes and code not in var.codes:
            raise XPathError(f"'{text}' is not a choice of this question", _pos(literal))
        return code

    def comparison(self, node: Cmp) -> Cond:
        left, right, op = node.left, node.right, node.op
        if _is_literal(left) and not _is_literal(right):
            left, right, op = right, left, FLIP[op]
        if isinstance(left, Ref) and isinstance(right, Ref):
            return self.two_answers(left, op, right, node.pos)
        if not _is_literal(right):
            raise XPathError("comparing two questions is not supported", node.pos)
        if isinstance(left, Call) and left.name in ("not", "selected"):
            raise XPathError(f"{left.name}() is a condition: do not compare it", node.pos)
        if isinstance(left, Call) and left.name != "count-selected":
            self.call(left)  # raises: this function is not supported
        if isinstance(left, Group):
            raise XPathError("a comparison needs a ${question} on one side", node.pos)
        if isinstance(left, Call) and left.name == "count-selected":
            _arity(left, 1)
            subject = left.args[0]
            if not isinstance(subject, Ref):
                raise XPathError("count-selected() needs a ${question}", _pos(subject))
            var = self.var(subject)
            if var.kind != "set":
                raise XPathError("count-selected() needs a select_multiple question", left.pos)
            return _count(var.ref, op, self.integer(right), node.pos)
        if not isinstance(left, Ref):
            raise XPathError("a comparison needs a ${question} on one side", _pos(left))
        var = self.var(left)
        if isinstance(right, Str) and right.value == "":
            if op not in ("=", "!="):
                raise XPathError("only = '' and != '' test for an empty answer", node.pos)
            return {"q": var.ref, "answered": op == "!="}
        if var.kind == "number":
            return _numberleaf_of(var.ref, op, self.number(right))
        if var.kind == "code":
            return self.code_comparison(var, op, right, node.pos)
        if var.kind == "set" and op in ("=", "!="):
            return self.multiple_equals(var, left.name, op, right)
        if var.kind == "set":
            message = f"${{{left.name}}} is a select_multiple: use selected(${{{left.name}}}, 'x')"
            raise XPathError(message, node.pos)
        if var.kind == "consent" and isinstance(right, Str) and right.value == "OK":
            if op not in ("=", "!="):
                raise XPathError("an acknowledge is only compared with = 'OK'", node.pos)
            return {"q": var.ref, "answered": op == "="}  # ODK stores OK when it is ticked
        raise XPathError(f"${{{left.name}}} can only be tested with = '' or != ''", node.pos)

    def multiple_equals(self, var: Var, name: str, op: str, literal: xpath.Node) -> Cond:
        """`${multiple} = 'x'`: read as selected(), as its author meant (XPath compares the
        whole answer: true only when x is the only choice ticked); said in `mapped`."""
        code = self.code(var, literal)
        self.mapped.append(
            f"${{{name}}} {op} {code} on a select_multiple is read as "
            f"{'' if op == '=' else 'not '}selected(${{{name}}}, '{code}') (XPath would compare "
            "the whole answer)"
        )
        leaf = {"q": var.ref, "has": code}
        return leaf if op == "=" else {"not": leaf}

    def two_answers(self, left: Ref, op: str, right: Ref, pos: int) -> Cond:
        """`${a} <= ${b}`: two numbers (any comparison) or two single choices (= and !=)."""
        a, b = self.var(left), self.var(right)
        if "." in b.ref:
            raise XPathError("a grid row can only be compared on the left", right.pos)
        if {a.kind, b.kind} == {"number"} or ({a.kind, b.kind} == {"code"} and op in "=!="):
            leaf = _numberleaf_of(a.ref, op, 0)
            inner = leaf.get("not", leaf)
            key = next(k for k in inner if k != "q")
            inner[key] = {"q": b.ref}
            return leaf
        message = "only two numbers, or two single choices with = or !=, can be compared"
        raise XPathError(message, pos)

    def code_comparison(self, var: Var, op: str, literal: xpath.Node, pos: int) -> Cond:
        if op in ("=", "!="):
            leaf = {"q": var.ref, "eq": self.code(var, literal)}
            return leaf if op == "=" else {"not": leaf}
        bound = self.number(literal)
        matching = [c for c in var.codes if isinstance(c, int) and _compare(c, op, bound)]
        if not matching:
            raise XPathError("no choice of this question satisfies the comparison", pos)
        if len(matching) == 1:
            return {"q": var.ref, "eq": matching[0]}
        return {"q": var.ref, "in": matching}

    @staticmethod
    def number(literal: xpath.Node) -> int | float:
        if isinstance(literal, Num):
            return literal.value
        if isinstance(literal, Str) and NUMBER.match(literal.value.strip()):
            text = literal.value.strip()
            return float(text) if "." in text else int(text)
        raise XPathError("expected a number", _pos(literal))

    def integer(self, literal: xpath.Node) -> int:
        value = self.number(literal)
        if not isinstance(value, int) or value < 0:
            raise XPathError("expected a whole number of choices", _pos(literal))
        return value


def _arity(node: Call, count: int) -> None:
    if len(node.args) != count:
        raise XPathError(f"{node.name}() takes {count} argument(s)", node.pos)


def _is_literal(node: xpath.Node) -> bool:
    return isinstance(node, (Str, Num))


def _pos(node: xpath.Node) -> int:
    return node.pos


def _compare(value: float, op: str, bound: float) -> bool:
    return {
        "<": value < bound,
        "<=": value <= bound,
        ">": value > bound,
        ">=": value >= bound,
    }[op]


def _numberleaf_of(ref: str, op: str, value: int | float) -> Cond:
    if op == "=":
        return {"q": ref, "eq": value}
    if op == "!=":
        return {"not": {"q": ref, "eq": value}}
    names = {"<": Op.LT.value, "<=": Op.LTE.value, ">": Op.GT.value, ">=": Op.GTE.value}
    return {"q": ref, names[op]: value}


def _count(ref: str, op: str, n: int, pos: int) -> Cond:
    """count-selected(${q}) op n, exactly (an unanswered question counts 0 in XPath)."""
    if op == "=":
        return {"q": ref, "count_eq": n} if n else {"not": {"q": ref, "count_gte": 1}}
    if op == "!=":
        return {"not": {"q": ref, "count_eq": n}} if n else {"q": ref, "count_gte": 1}
    if op == ">":
        return {"q": ref, "count_gte": n + 1}
    if op == ">=" and n >= 1:
        return {"q": ref, "count_gte": n}
    if op == "<=":
        return {"not": {"q": ref, "count_gte": n + 1}}
    if op == "<" and n >= 1:
        return {"not": {"q": ref, "count_gte": n}}
    raise XPathError("this count comparison is always true or never true", pos)


# ---------------------------------------------------------------------- idioms
def leaf_of(cond: Cond) -> tuple[str, str, Any] | None:
    """(ref, op, arg) of a leaf, or None."""
    if "q" not in cond or len(cond) != 2:
        return None
    op = next(k for k in cond if k != "q")
    return cond["q"], op, cond[op]


def canon_any(items: list[Cond]) -> Cond:
    """`any`, with `a = x or a = y` folded to `in` and `selected() or selected()` to has_any."""
    leaves = [leaf_of(i) for i in items]
    constant = all(lf and not isinstance(lf[2], dict) for lf in leaves)  # not `{q: other}`
    if len(items) >= 2 and constant and len({lf[0] for lf in leaves}) == 1:  # type: ignore[index]
        ops = {lf[1] for lf in leaves}  # type: ignore[index]
        ref = leaves[0][0]  # type: ignore[index]
        if ops == {"eq"}:
            return {"q": ref, "in": [lf[2] for lf in leaves]}  # type: ignore[index]
        if ops == {"has"}:
            return {"q": ref, "has_any": [lf[2] for lf in leaves]}  # type: ignore[index]
    return {"any": items}


COMPLEMENT = {"eq": "ne", "in": "not_in", "has_any": "has_none"}


def canon_all(items: list[Cond]) -> Cond:
    """`all`, with the export idioms of has_all, ne, not_in, has_none and count_lte folded."""
    leaves = [leaf_of(i) for i in items]
    constant = all(lf and not isinstance(lf[2], dict) for lf in leaves)  # not `{q: other}`
    if len(items) >= 2 and constant and len({lf[0] for lf in leaves}) == 1:  # type: ignore[index]
        if {lf[1] for lf in leaves} == {"has"}:  # type: ignore[index]
            return {"q": leaves[0][0], "has_all": [lf[2] for lf in leaves]}  # type: ignore[index]
    if len(items) == 2 and "not" in items[0] and len(items[0]) == 1:
        inner = leaf_of(items[0]["not"])
        answered = leaf_of(items[1])
        if inner and answered and answered == (inner[0], "answered", True):
            ref, op, arg = inner
            if op in COMPLEMENT:
                return {"q": ref, COMPLEMENT[op]: arg}
            if op == "has":
                return {"q": ref, "has_none": [arg]}
            if op == "count_gte" and isinstance(arg, int) and arg >= 2:
                return {"q": ref, "count_lte": arg - 1}
    return {"all": items}
