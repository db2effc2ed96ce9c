"""Typed reading of located YAML values, collecting located problems instead of raising."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .limits import MAX_TEXT_LENGTH
from .problems import Problem

if TYPE_CHECKING:
    from .expressions import Condition
from .yamlsource import YMap, YNode, YScalar, YSeq

IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")
INTEGER_CODE = re.compile(r"(0|[1-9][0-9]*)\Z")
DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
DECIMAL_FLOAT = re.compile(r"[-+]?(0|[1-9][0-9]*)\.[0-9]+\Z")
LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?\Z")
#: An export column name as authors write it (`rCSI`, `d4.3`, `Q-1`): safe in a CSV header.
COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
MAX_COLUMN_NAME = 64

_KIND_NAMES = {
    "bool": "a boolean",
    "int": "an integer",
    "float": "a number",
    "null": "null",
    "timestamp": "a date",
    "invalid": "an invalid value",
}

Text = Mapping[str, str]


def node_position(node: YNode) -> tuple[int, int]:
    """Line and column of a node."""
    return node.line, node.column


class Reader:
    """Reads schema values; every problem found is kept with its location and YAML path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.languages: tuple[str, ...] = ()
        self.locations: dict[tuple[object, ...], tuple[YNode, str]] = {}
        self._texts: list[Text] = []  # keeps located texts alive, so their ids stay unique

    # ------------------------------------------------------------------ reporting
    def error(self, node: YNode | None, path: str, message: str, rule: str) -> None:
        """Record an error at a node."""
        line, column = node_position(node) if node is not None else (1, 1)
        self.problems.append(Problem(self.source, line, column, path, message, rule))

    def warn(self, node: YNode | None, path: str, message: str, rule: str) -> None:
        """Record a warning at a node."""
        line, column = node_position(node) if node is not None else (1, 1)
        self.warnings.append(Problem(self.source, line, column, path, message, rule, "warning"))

    def locate(self, key: tuple[object, ...], node: YNode | None, path: str) -> None:
        """Remember where an element (page, question, option, text…) was written."""
        if node is not None:
            self.locations.setdefault(key, (node, path))

    def report_at(
        self,
        key: tuple[object, ...],
        message: str,
        rule: str,
        field: str | None = None,
        *,
        warning: bool = False,
    ) -> None:
        """Report a problem at a located element (or at one of its keys)."""
        node, path = self.locations.get(key, (None, ""))
        if field is not None:
            path = join(path, field)
            if isinstance(node, YMap) and node.get(field) is not None:
                node = node.get(field)
        (self.warn if warning else self.error)(node, path, message, rule)

    def error_at_condition(self, cond: Condition, message: str, rule: str) -> None:
        """Record an error at a condition."""
        problem = Problem(self.source, cond.line, cond.column, cond.path, message, rule)
        self.problems.append(problem)

    def texts(self) -> list[Text]:
        """Every text read so far."""
        return list(self._texts)

    # ------------------------------------------------------------------ containers
    def mapping(self, node: YNode | None, path: str, what: str = "a mapping") -> YMap | None:
        """The node as a mapping, or None (with an error)."""
        if isinstance(node, YMap):
            return node
        self.error(node, path, f"expected {what}", "type")
        return None

    def sequence(self, node: YNode | None, path: str, what: str = "a list") -> YSeq | None:
        """The node as a sequence, or None (with an error)."""
        if isinstance(node, YSeq):
            return node
        self.error(node, path, f"expected {what}", "type")
        return None

    def section(
        self, node: YMap, path: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> Section:
        """The mapping's keys, checked, as a Section."""
        return Section(self, node, self.fields(node, path, allowed, required), path)

    def fields(
        self,
        node: YMap,
        path: str,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> dict[str, YNode]:
        """The mapping's string keys checked against the allowed and required sets."""
        allowed = set(allowed)
        found: dict[str, YNode] = {}
        for key, value in node.items:
            name = self.key(key, path)
            if name is None:
                continue
            if name not in allowed:
                hint = difflib.get_close_matches(name, sorted(allowed), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.error(key, _join(path, name), f"unknown key '{name}'{extra}", "unknown-key")
                continue
            found[name] = value
        for name in required:
            if name not in found:
                self.error(node, path, f"missing key '{name}'", "missing-key")
        return found

    def key(self, key: YScalar, path: str) -> str | None:
        """A mapping key that must be a string."""
        if key.tag == "str":
            return str(key.value)
        self.coerced(key, path, "key")
        return None

    # ------------------------------------------------------------------ scalars
    def coerced(self, node: YScalar, path: str, what: str = "value") -> None:
        """Report a plain scalar that YAML 1.1 read as something other than a string."""
        kind = _KIND_NAMES.get(node.tag, node.tag)
        if node.plain:
            message = f"{what} '{node.raw}' is read by YAML as {kind}, not a string: quote it"
            self.error(node, path, message, "coerced-value")
        else:
            self.error(node, path, f"{what} '{node.raw}' must be a string", "type")

    def string(self, node: YNode | None, path: str, what: str = "value") -> str | None:
        """A string value (YAML 1.1 coercions are errors)."""
        if not isinstance(node, YScalar):
            self.error(node, path, f"{what} must be a string", "type")
            return None
        if node.tag != "str":
            self.coerced(node, path, what)
            return None
        return str(node.value)

    def identifier(self, node: YNode | None, path: str, what: str = "id") -> str | None:
        """An identifier: ^[a-z][a-z0-9_]*$."""
        value = self.string(node, path, what)
        if value is not None and not IDENTIFIER.match(value):
            message = f"{what} '{value}' must match ^[a-z][a-z0-9_]*$"
            self.error(node, path, message, "invalid-id")
            return None
        return value

    def column_name(self, node: YNode | None, path: str, what: str = "column") -> str | None:
        """An export column name: letters, digits, `_`, `.` and `-`, starting with a letter or
        `_`, at most 64 characters (nothing a CSV reader or a spreadsheet could misread)."""
        value = self.string(node, path, what)
        if value is None:
            return None
        if not COLUMN_NAME.match(value) or len(value) > MAX_COLUMN_NAME:
            message = (
                f"{what} '{value}' must be at most {MAX_COLUMN_NAME} letters, digits, _ . or -, "
                "starting with a letter or _"
            )
            self.error(node, path, message, "invalid-id")
            return None
        return value

    def code(self, node: YNode | None, path: str, what: str = "code") -> str | None:
        """An option code: a plain non-negative integer or an identifier, returned as text."""
        if not isinstance(node, YScalar):
            self.error(node, path, f"{what} must be an integer or an identifier", "type")
            return None
        raw = node.raw.strip()
        if node.tag == "int" and INTEGER_CODE.match(raw):
            return raw
        if node.tag == "str" and (IDENTIFIER.match(raw) or INTEGER_CODE.match(raw)):
            return str(node.value)
        if node.tag == "int" and node.plain:
            message = (
                f"{what} '{raw}' is read by YAML as the integer {node.value}: write a plain "
                "non-negative integer without leading zero, or quote an identifier"
            )
            self.error(node, path, message, "coerced-value")
        elif node.tag not in ("str", "int") and node.plain:
            self.coerced(node, path, what)
        else:
            message = f"{what} '{raw}' must be a non-negative integer or match ^[a-z][a-z0-9_]*$"
            self.error(node, path, message, "invalid-id")
        return None

    def boolean(self, node: YNode | None, path: str, what: str = "value") -> bool | None:
        """true or false, written exactly so."""
        if isinstance(node, YScalar) and node.tag == "bool" and node.raw in ("true", "false"):
            return bool(node.value)
        raw = node.raw if isinstance(node, YScalar) else "…"
        self.error(node, path, f"{what} '{raw}' must be true or false", "type")
        return None

    def integer(
        self, node: YNode | None, path: str, what: str = "value", minimum: int | None = None
    ) -> int | None:
        """A decimal integer (no octal, hex or sexagesimal surprises)."""
        if not (isinstance(node, YScalar) and node.tag == "int" and DECIMAL_INT.match(node.raw)):
            raw = node.raw if isinstance(node, YScalar) else "…"
            self.error(node, path, f"{what} '{raw}' must be a decimal integer", "type")
            return None
        value = int(node.raw)
        if minimum is not None and value < minimum:
            self.error(node, path, f"{what} must be at least {minimum}", "value")
            return None
        return value

    def number(self, node: YNode | None, path: str, what: str = "value") -> int | float | None:
        """A decimal integer or a decimal number such as 4.5."""
        if isinstance(node, YScalar) and node.tag == "int" and DECIMAL_INT.match(node.raw):
            return int(node.raw)
        if isinstance(node, YScalar) and node.tag == "float" and DECIMAL_FLOAT.match(node.raw):
            return float(node.raw)
        raw = node.raw if isinstance(node, YScalar) else "…"
        self.error(node, path, f"{what} '{raw}' must be a number", "type")
        return None

    def text(self, node: YNode | None, path: str, what: str = "text") -> Text | None:
        """A translated text: exactly the declared languages, each a non-empty string."""
        mapping = self.mapping(node, path, f"{what} as a map {{language: text}}")
        if mapping is None:
            return None
        result: dict[str, str] = {}
        for key, value in mapping.items:
            lang = self.key(key, path)
            if lang is None:
                continue
            if self.languages and lang not in self.languages:
                message = f"unknown language '{lang}' (declared: {', '.join(self.languages)})"
                self.error(key, _join(path, lang), message, "unknown-language")
                continue
            string = self.string(value, _join(path, lang), f"'{lang}' text")
            if string is None:
                continue
            if not string.strip():
                message = f"empty '{lang}' translation"
                self.error(value, _join(path, lang), message, "translation")
            elif len(string) > MAX_TEXT_LENGTH:
                message = (
                    f"the '{lang}' text has {len(string):,} characters: at most {MAX_TEXT_LENGTH:,}"
                )
                self.error(value, _join(path, lang), message, "limit")
            result[lang] = string
        for lang in self.languages:
            if lang not in result and not any(k.raw == lang for k, _ in mapping.items):
                self.error(mapping, path, f"missing '{lang}' translation", "translation")
        text = MappingProxyType(result)
        self._texts.append(text)
        self.locate(("text", id(text)), mapping, path)
        return text


class Section:
    """The keys found in one mapping, each read with its own YAML path."""

    def __init__(self, reader: Reader, node: YMap, fields: dict[str, YNode], path: str) -> None:
        self.reader, self.node, self.fields, self.path = reader, node, fields, path

    def __contains__(self, key: str) -> bool:
        return key in self.fields

    def at(self, key: str) -> str:
        """The YAML path of a key."""
        return _join(self.path, key)

    def read(self, key: str, how: Callable[..., Any], *args: Any, default: Any = None) -> Any:
        """`how(node, path, *args)` for a key that is present, else `default`."""
        if key not in self.fields:
            return default
        return how(self.fields[key], self.at(key), *args)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        """A string among `allowed` (None, with an error, otherwise)."""
        value: str | None = self.read(key, self.reader.string)
        if value is not None and value not in allowed:
            message = f"'{value}' must be one of: {', '.join(allowed)}"
            self.reader.error(self.fields[key], self.at(key), message, "value")
            return None
        return value

    def error(self, key: str | None, message: str, rule: str) -> None:
        """An error at a key (or at the whole mapping)."""
        if key is None or key not in self.fields:
            self.reader.error(self.node, self.path, message, rule)
        else:
            self.reader.error(self.fields[key], self.at(key), message, rule)


def _join(path: str, key: str) -> str:
    """Extend a YAML path with a key."""
    return f"{path}.{key}" if path else key


def join(path: str, key: str | int) -> str:
    """Extend a YAML path with a key or a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return _join(path, key)
