"""YAML text to a tree of located values (every scalar keeps its line, column and raw text).

PyYAML composes the document (SafeLoader, YAML 1.1 resolution); we convert the node tree
ourselves so that each value remembers where it was written and whether YAML 1.1 silently
turned a plain scalar such as `yes`, `010` or `2025.06` into a non-string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from .limits import MAX_CONDITION_DEPTH, MAX_NODES, MAX_YAML_DEPTH
from .problems import Problem

#: libyaml's parser when PyYAML was built with it (15x faster); same YAML 1.1 resolution.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "timestamp",
}


@dataclass(frozen=True, slots=True)
class YScalar:
    """A scalar: its constructed value, YAML type name, raw text and whether it was plain."""

    value: object
    tag: str
    raw: str
    plain: bool
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class YMap:
    """A mapping; keys are scalars, in document order."""

    items: tuple[tuple[YScalar, YNode], ...]
    line: int
    column: int

    def keys(self) -> list[str]:
        """The keys as text (raw), in order."""
        return [k.raw for k, _ in self.items]

    def get(self, key: str) -> YNode | None:
        """The value of a string key, or None."""
        for k, v in self.items:
            if k.tag == "str" and k.value == key:
                return v
        return None


@dataclass(frozen=True, slots=True)
class YSeq:
    """A sequence."""

    items: tuple[YNode, ...]
    line: int
    column: int


YNode = YScalar | YMap | YSeq


class _Converter:
    """Node tree to located values; collects problems instead of raising."""

    def __init__(self, loader: Any, source: str) -> None:
        self.loader = loader
        self.source = source
        self.problems: list[Problem] = []
        self.count = 0

    def problem(self, node: yaml.Node, message: str, rule: str) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(self.source, mark.line + 1, mark.column + 1, "", message, rule)
        )

    def convert(self, node: yaml.Node, stack: tuple[int, ...] = ()) -> YNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if len(stack) >= MAX_YAML_DEPTH:
            raise _TooDeep(line, column)
        if id(node) in stack:
            self.problem(node, "recursive alias", "yaml-syntax")
            return YSeq((), line, column)
        inner = (*stack, id(node))
        if isinstance(node, yaml.SequenceNode):
            return YSeq(tuple(self.convert(n, inner) for n in node.value), line, column)
        assert isinstance(node, yaml.MappingNode)  # noqa: S101 - the only other node kind
        return self.mapping(node, inner)

    def mapping(self, node: yaml.MappingNode, stack: tuple[int, ...]) -> YMap:
        items: list[tuple[YScalar, YNode]] = []
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, "mapping keys must be plain values", "type")
                continue
            key = self.scalar(key_node)
            ident = (key.tag, key.value)
            if ident in seen:
                self.problem(
                    key_node,
                    f"duplicate key '{key.raw}' (first at line {seen[ident]})",
                    "duplicate",
                )
                continue
            seen[ident] = key.line
            items.append((key, self.convert(value_node, stack)))
        return YMap(tuple(items), node.start_mark.line + 1, node.start_mark.column + 1)

    def scalar(self, node: yaml.ScalarNode) -> YScalar:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        tag = _TAGS.get(node.tag)
        if tag is None:
            self.problem(node, f"unsupported YAML tag {node.tag}", "type")
            return YScalar(node.value, "str", node.value, False, line, column)
        if tag == "str":  # what SafeConstructor.construct_yaml_str returns, without its cost
            return YScalar(node.value, tag, node.value, not node.style, line, column)
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            self.problem(node, f"invalid {tag} value '{node.value}': {exc}", "type")
            return YScalar(node.value, "invalid", node.value, not node.style, line, column)
        return YScalar(value, tag, node.value, not node.style, line, column)


class _TooLarge(Exception):
    """The document expands to more than MAX_NODES nodes."""


class _TooDeep(Exception):
    """Mappings and lists nested more than MAX_YAML_DEPTH levels deep (line, column)."""


def parse_yaml(text: str, source: str) -> tuple[YNode | None, list[Problem]]:
    """Parse one YAML document into located values; syntax errors become problems."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(source, 1, 1, "", "the document is empty", "yaml-syntax")]
        converter = _Converter(loader, source)
        try:
            tree = converter.convert(node)
        except _TooLarge:
            message = f"the document expands to more than {MAX_NODES:,} values (aliases?)"
            return None, [Problem(source, 1, 1, "", message, "yaml-syntax")]
        except _TooDeep as exc:
            line, column = exc.args
            message = (
                f"mappings and lists nested more than {MAX_YAML_DEPTH} levels deep "
                f"(a condition may nest at most {MAX_CONDITION_DEPTH} all/any/not)"
            )
            return None, [Problem(source, line, column, "", message, "limit")]
        return tree, converter.problems
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, [Problem(source, line, column, "", f"YAML syntax: {message}", "yaml-syntax")]
    except yaml.YAMLError as exc:
        return None, [Problem(source, 1, 1, "", f"YAML syntax: {exc}", "yaml-syntax")]
    except RecursionError:  # only PyYAML's pure-Python composer (libyaml stops at 1,000 levels)
        message = f"mappings and lists nested more than {MAX_YAML_DEPTH} levels deep"
        return None, [Problem(source, 1, 1, "", message, "limit")]
    finally:
        loader.dispose()
