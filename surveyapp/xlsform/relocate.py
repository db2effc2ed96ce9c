"""Run the linter on imported YAML and move its messages back onto workbook cells.

The linter locates problems in the generated YAML (line, column). We find the schema path of
the node written there, then the nearest enclosing path whose origin the import recorded: the
cell a spreadsheet author can fix.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import yaml

from .context import Context
from .problems import Location, XlsformError, XlsProblem
from .yamltext import compose, safe_load


def yaml_paths(text: str) -> list[tuple[tuple[int, int], tuple[Any, ...]]]:
    """(0-based line, column) -> schema path of every node of a YAML text, in order."""
    found: list[tuple[tuple[int, int], tuple[Any, ...]]] = []

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        found.append(((node.start_mark.line, node.start_mark.column), path))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                key_value: Any = key.value
                if key.tag.endswith(":int"):
                    key_value = int(key.value)
                found.append(((key.start_mark.line, key.start_mark.column), (*path, key_value)))
                walk(value, (*path, key_value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    root = compose(text)
    if root is not None:
        walk(root, ())
    found.sort(key=lambda item: item[0])
    return found


def locate(ctx: Context, paths, line: int, column: int) -> Location | None:
    """The workbook location of a 1-based (line, column) of the generated YAML."""
    keys = [p[0] for p in paths]
    i = bisect.bisect_right(keys, (line - 1, column - 1)) - 1
    path: tuple[Any, ...] = paths[i][1] if i >= 0 else ()
    return _by_path(ctx, path)


def parse_path(text: str) -> tuple[Any, ...]:
    """`pages[2].questions[0].when` -> ('pages', 2, 'questions', 0, 'when')."""
    path: list[Any] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", text):
        path.append(int(part[1:-1]) if part.startswith("[") else part)
    return tuple(path)


def _by_path(ctx: Context, path: tuple[Any, ...]) -> Location | None:
    while path:
        if path in ctx.origins:
            return ctx.origins[path]
        path = path[:-1]
    return None


def _by_id(ctx: Context, ids: dict[str, tuple[Any, ...]], message: str) -> Location | None:
    for name in re.findall(r"'([a-z][a-z0-9_]*)'", message):
        if name in ids and ids[name] in ctx.origins:
            return ctx.origins[ids[name]]
    return None


def _ids(text: str) -> dict[str, tuple[Any, ...]]:
    schema = safe_load(text) or {}
    ids: dict[str, tuple[Any, ...]] = {}
    for section in ("pages", "derived", "endings", "quotas", "parameters"):
        for i, item in enumerate(schema.get(section) or []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids[item["id"]] = (section, i)
            for k, q in enumerate(item.get("questions") or [] if isinstance(item, dict) else []):
                if isinstance(q, dict) and isinstance(q.get("id"), str):
                    ids[q["id"]] = (section, i, "questions", k)
    return ids


def relocate(text: str, source: str, ctx: Context) -> list[XlsProblem]:
    """Lint the text; raise XlsformError with relocated errors; return relocated warnings."""
    from surveyapp.engine.lint import lint_text

    report = lint_text(text, source)
    paths = yaml_paths(text)

    ids = _ids(text)

    def moved(problem, severity: str) -> XlsProblem:
        where = f"{problem.path}: " if problem.path else ""
        message = f"{where}{problem.message}"
        loc = (
            _by_path(ctx, parse_path(problem.path))
            or (locate(ctx, paths, problem.line, problem.column) if problem.line > 1 else None)
            or _by_id(ctx, ids, problem.message)
            or Location("survey")
        )
        return XlsProblem(loc, message, None, severity)

    if report.problems:
        raise XlsformError(source, [moved(p, "error") for p in report.problems])
    return [moved(w, "warning") for w in report.warnings]
