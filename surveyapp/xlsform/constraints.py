"""Simple XLSForm `constraint`s as bounds, and `choice_filter` as `options_from`.

A constraint becomes limits only when it is a conjunction of bounds on the answer itself:
`. >= 0 and . <= 120` (integer, decimal), `count-selected(.) <= 3` (select_multiple) or
`string-length(.) <= 200` (text). Anything else is refused: our limits come with messages the
platform writes and translates, and conditions between answers are not limits.
"""

from __future__ import annotations

import re
from typing import Any

from . import xpath
from .xpath import FLIP, And, Call, Cmp, Dot, Group, Name, Num, Ref, Str, XPathError

HELP = (
    "only bounds become limits: '. >= 0 and . <= 120' (integer, decimal), "
    "'count-selected(.) <= 3' (select_multiple), 'string-length(.) <= 200' and "
    "regex(., '^[0-9]{5}$') (text)"
)

#: XLSForm base type -> what a bound constrains.
SUBJECT = {
    "integer": "value",
    "decimal": "value",
    "select_multiple": "count",
    "text": "length",
    "date": "date",
}


def _parts(node: xpath.Node) -> list[xpath.Node]:
    while isinstance(node, Group):
        node = node.expr
    if isinstance(node, And):
        return [p for item in node.items for p in _parts(item)]
    return [node]


def _subject(node: xpath.Node, base: str = "") -> str | None:
    if isinstance(node, Dot):
        return "date" if base == "date" else "value"
    if isinstance(node, Call) and len(node.args) == 1 and isinstance(node.args[0], Dot):
        return {"count-selected": "count", "string-length": "length"}.get(node.name)
    return None


def _number(node: xpath.Node) -> int | float | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Str):
        try:
            return float(node.value) if "." in node.value else int(node.value)
        except ValueError:
            return None
    return None


def bounds(text: str, base_type: str) -> dict[str, Any]:
    """The limits a constraint sets: keys min / max (or max_length); raises XPathError."""
    subject = SUBJECT.get(base_type)
    if subject is None:
        raise XPathError(f"a {base_type} question cannot have a constraint here; {HELP}", 0)
    found: dict[str, Any] = {}
    for part in _parts(xpath.parse(text)):
        pattern = _pattern(part)
        if pattern is not None and base_type == "text" and "pattern" not in found:
            found["pattern"] = pattern
            continue
        if not isinstance(part, Cmp):
            raise XPathError(HELP, part.pos)
        left, right, op = part.left, part.right, part.op
        if _subject(right, base_type) and not _subject(left, base_type):
            left, right, op = right, left, FLIP[op]
        value = _date(right) if subject == "date" else _number(right)
        if _subject(left, base_type) != subject or value is None:
            raise XPathError(HELP, part.pos)
        for key, bound in _bound(subject, base_type, op, value, part.pos):
            if key in found:
                raise XPathError(f"two bounds set the same limit ({key})", part.pos)
            found[key] = bound
    return found


def _pattern(node: xpath.Node) -> str | None:
    """The pattern of `regex(., 'pattern')` (None for anything else)."""
    if (
        isinstance(node, Call)
        and node.name == "regex"
        and len(node.args) == 2
        and isinstance(node.args[0], Dot)
        and isinstance(node.args[1], Str)
    ):
        return node.args[1].value
    return None


def _date(node: xpath.Node) -> str | None:
    """`today()` -> today; `date('2020-01-31')` or '2020-01-31' -> that date."""
    if isinstance(node, Call) and node.name == "today" and not node.args:
        return "today"
    if isinstance(node, Call) and node.name == "date" and len(node.args) == 1:
        node = node.args[0]
    if isinstance(node, Str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", node.value):
        return node.value
    return None


def _bound(subject: str, base: str, op: str, value: Any, pos: int) -> list[tuple[str, Any]]:
    if subject == "date":
        if op not in (">=", "<="):
            raise XPathError("date limits include their bound: write >= or <=", pos)
        return [("min" if op == ">=" else "max", value)]
    whole = isinstance(value, int)
    if subject == "length":
        if op not in ("<=", "<") or not whole or value - (op == "<") < 1:
            raise XPathError(
                "a text answer can only have a maximum length: string-length(.) <= N", pos
            )
        return [("max_length", value - (op == "<"))]
    if subject == "count":
        if not whole:
            raise XPathError("a number of choices is a whole number", pos)
        limits = {
            ">=": [("min", value)],
            ">": [("min", value + 1)],
            "<=": [("max", value)],
            "<": [("max", value - 1)],
            "=": [("min", value), ("max", value)],
        }
        result = limits.get(op)
        if result is None or any(v < 1 for _, v in result):
            raise XPathError("a select_multiple limit is a number of choices of at least 1", pos)
        return result
    if op in (">=", "<="):
        return [("min" if op == ">=" else "max", value)]
    if op in (">", "<") and base == "integer" and whole:
        return [("min", value + 1)] if op == ">" else [("max", value - 1)]
    if op in (">", "<"):
        raise XPathError("limits include their bound: write >= or <= with a decimal", pos)
    raise XPathError(HELP, pos)


def constraint_text(question: dict[str, Any]) -> str:
    """The constraint cell for a question's limits ('' when it has none)."""
    qtype = question.get("type")
    parts: list[str] = []
    if qtype in ("integer", "decimal", "nps"):
        low, high = (0, 10) if qtype == "nps" else (question.get("min"), question.get("max"))
        parts += [f". >= {_num(low)}"] if low is not None else []
        parts += [f". <= {_num(high)}"] if high is not None else []
    elif qtype == "multiple":
        for key, op in (("min", ">="), ("max", "<=")):
            if question.get(key) is not None:
                parts.append(f"count-selected(.) {op} {question[key]}")
    elif qtype == "text":
        if question.get("max_length") is not None:
            parts.append(f"string-length(.) <= {question['max_length']}")
        if question.get("pattern") is not None:
            quoted = "'" + question["pattern"] + "'"
            parts.append(f"regex(., {quoted})")
    return " and ".join(parts)


def _num(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def options_from(text: str) -> tuple[str, int]:
    """The question a `selected(${q}, name)` choice filter names, and its position."""
    node = xpath.parse(text)
    while isinstance(node, Group):
        node = node.expr
    if (
        isinstance(node, Call)
        and node.name == "selected"
        and len(node.args) == 2
        and isinstance(node.args[0], Ref)
        and isinstance(node.args[1], Name)
        and node.args[1].name == "name"
    ):
        return node.args[0].name, node.args[0].pos
    message = (
        "only choice filters of the form selected(${question}, name) are supported: they offer "
        "the choices ticked in an earlier select_multiple"
    )
    raise XPathError(message, getattr(node, "pos", 0))


def count_of(text: str) -> tuple[str, int]:
    """The question a `count-selected(${q})` calculation counts, and its position."""
    if not text.strip():
        raise XPathError("the calculation is empty", 0)
    node = xpath.parse(text)
    while isinstance(node, Group):
        node = node.expr
    if (
        isinstance(node, Call)
        and node.name == "count-selected"
        and len(node.args) == 1
        and isinstance(node.args[0], Ref)
    ):
        return node.args[0].name, node.args[0].pos
    raise XPathError("this calculation cannot be imported", getattr(node, "pos", 0))
