"""Reading option lists (named, or inline in a question) and the `when` of an option, a
row, a page or a question; `too_many` refuses a list longer than its limit.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from .expressions import Condition, parse_condition
from .limits import MAX_OPTIONS, plural
from .model import Option
from .reader import Reader, Section, join
from .yamlsource import YNode, YScalar, YSeq

OPTION_KEYS = ("code", "label", "when", "exclusive", "other", "fixed", "column")


def read_when(sec: Section) -> Condition | None:
    """The `when:` condition of a section (None when it has none)."""
    when: Condition | None = sec.read(
        "when", lambda node, path: parse_condition(sec.reader, node, path)
    )
    return when


def read_option_lists(reader: Reader, node: YNode | None) -> Mapping[str, tuple[Option, ...]]:
    """The named option lists."""
    lists: dict[str, tuple[Option, ...]] = {}
    mapping = reader.mapping(node, "option_lists", "a map {list name: [options]}") if node else None
    for key, value in mapping.items if mapping else ():
        name = reader.key(key, "option_lists")
        path = join("option_lists", name or key.raw)
        if name is not None and reader.identifier(key, path, "option list name") is not None:
            reader.locate(("list", name), key, path)
            lists[name] = read_options(reader, value, path, name)
    return MappingProxyType(lists)


def read_options(reader: Reader, node: YNode | None, path: str, owner: str) -> tuple[Option, ...]:
    """An inline list of options; codes must be unique. `owner`: list name or question id."""
    seq = reader.sequence(node, path, "a list of options")
    if seq is not None and not seq.items:
        reader.error(seq, path, "the list has no options", "value")
    items = too_many(reader, seq, path, MAX_OPTIONS, "option")
    options: list[Option] = []
    codes: set[str] = set()
    for i, item in enumerate(items):
        option = _read_option(reader, item, join(path, i))
        if option is None:
            continue
        if option.code in codes:
            reader.error(item, join(path, i), f"duplicate option code '{option.code}'", "duplicate")
            continue
        reader.locate(("option", owner, option.code), item, join(path, i))
        options.append(option)
        codes.add(option.code)
    return tuple(options)


def too_many(
    reader: Reader, seq: YSeq | None, path: str, limit: int, what: str
) -> tuple[YNode, ...]:
    """The items of a list, or none (with a located error) when there are more than `limit`."""
    if seq is None:
        return ()
    if len(seq.items) > limit:
        message = f"{plural(len(seq.items), what)}: at most {limit:,} allowed"
        reader.error(seq, path, message, "limit")
        return ()
    return seq.items


def _read_option(reader: Reader, node: YNode, path: str) -> Option | None:
    mapping = reader.mapping(node, path, "an option {code, label}")
    if mapping is None:
        return None
    sec = reader.section(mapping, path, OPTION_KEYS, ("code", "label"))
    code = sec.read("code", reader.code)
    label = sec.read("label", reader.text)
    flags = {k: bool(sec.read(k, reader.boolean, k)) for k in ("exclusive", "other", "fixed")}
    column = sec.read("column", reader.column_name)
    if code is None or label is None:
        return None
    return Option(code, label, read_when(sec), **flags, column=column)


def resolve_options(
    reader: Reader,
    node: YNode | None,
    path: str,
    lists: Mapping[str, tuple[Option, ...]],
    owner: str,
) -> tuple[tuple[Option, ...], str | None]:
    """`options:` as a list name or an inline list: (options, list name)."""
    if not isinstance(node, YScalar):
        return read_options(reader, node, path, owner), None
    name = reader.string(node, path, "option list name")
    if name is not None and name not in lists:
        hint = difflib.get_close_matches(name, list(lists), n=1)
        extra = f" (did you mean '{hint[0]}'?)" if hint else ""
        reader.error(node, path, f"unknown option list '{name}'{extra}", "unknown-reference")
    return lists.get(name or "", ()), name
