"""YAML text for schemas and for `surveyapp_` cells (PyYAML's safe representer).

PyYAML quotes every string that YAML 1.1 would read as something else (`'yes'`, `'010'`,
`'2025.06'`), so the text it writes loads back to the same values, and the linter's
"quote it" rule holds. Options and conditions are written in flow style, as docs/schema.md does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

WIDTH = 1_000_000  # never fold a line: flow mappings stay on one line

#: libyaml's safe loader and emitter when PyYAML was built with it (several times faster).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
if TYPE_CHECKING:
    _SafeDumper = yaml.SafeDumper
else:
    _SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _FlowMap(dict):
    """A mapping written in flow style."""


class _FlowList(list):
    """A sequence written in flow style."""


class _Dumper(_SafeDumper):
    """SafeDumper that writes _FlowMap / _FlowList on one line, and never an alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), True)
)
_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, True)
)


def _flow(value: Any) -> Any:
    if isinstance(value, dict):
        return _FlowMap((k, _flow(v)) for k, v in value.items())
    if isinstance(value, list):
        return _FlowList(_flow(v) for v in value)
    return value


#: Keys whose values are written in flow style wherever they appear.
FLOW_KEYS = frozenset(
    {"when", "languages", "sets_language", "aliases", "contact", "targets", "by", "counts"}
)
#: Keys whose list items are written one per line, each in flow style.
FLOW_ITEMS = frozenset({"options", "cases"})


def _styled(value: Any, key: str | None = None, parent: str | None = None) -> Any:
    if key in FLOW_KEYS:
        return _flow(value)
    if isinstance(value, dict):
        return {k: _styled(v, k, key) for k, v in value.items()}
    if isinstance(value, list):
        if key in FLOW_ITEMS or parent == "option_lists" or key == "scale":
            return [_flow(v) for v in value]
        return [_styled(v, None, key) for v in value]
    return value


def dump_schema(schema: dict[str, Any], header: str = "") -> str:
    """A schema dict as YAML text, options and conditions in flow style."""
    body = yaml.dump(
        _styled(schema),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=WIDTH,
    )
    return header + body


def dump_block(value: Any) -> str:
    """A section for the surveyapp sheet (same style as dump_schema)."""
    return dump_schema(value)


def dump_cell(value: Any) -> str:
    """A value on one line, for a `surveyapp_` cell."""
    text = yaml.dump(_flow(value), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=WIDTH)
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.strip()


def load_cell(text: str) -> Any:
    """The value of a `surveyapp_` cell (YAML, safe loader)."""
    return safe_load(text)


def safe_load(text: str) -> Any:
    """YAML text -> plain values (the safe loader: no Python objects)."""
    if _SafeLoader is yaml.SafeLoader:
        return yaml.safe_load(text)
    return yaml.load(text, Loader=yaml.CSafeLoader)


def compose(text: str) -> yaml.Node | None:
    """YAML text -> node tree with positions (the safe loader's resolver)."""
    return yaml.compose(text, Loader=_SafeLoader)
