"""The `surveyapp` sheet: the YAML of what XLSForm cannot express, one line per row.

Column A holds the lines (row 1 is the header `yaml`), so the text can be read and edited in
a spreadsheet, and no cell comes near Excel's 32,767-character limit. It may hold the
sections `survey` (title, introduction, estimated_seconds_per_question), `parameters`,
`derived`, `endings` and `quotas`, written exactly as in a schema file (docs/schema.md).
"""

from __future__ import annotations

from typing import Any

import yaml

from .context import Context
from .problems import Location
from .reader import Sheet
from .yamltext import compose, safe_load

SHEET_HEADER = "yaml"
#: Sections written elsewhere in the workbook.
ELSEWHERE = {
    "schema_version": "it is always 1: remove it",
    "pages": "write questions on the survey sheet",
    "option_lists": "write option lists on the choices sheet",
}
SURVEY_ELSEWHERE = {
    "id": "form_id",
    "version": "version",
    "languages": "the label::<language> columns",
    "default_language": "default_language",
}


def sheet_lines(sheet: Sheet) -> list[str]:
    """The YAML lines of column A, rows 2 onwards (empty rows are empty lines)."""
    lines: list[str] = []
    for row in sheet.rows:
        if row.number < 2:
            continue
        while len(lines) < row.number - 2:
            lines.append("")
        lines.append(row.raw.get(1, "").rstrip())
    return lines


def read_surveyapp_sheet(ctx: Context, sheet: Sheet | None) -> dict[str, Any]:
    """The sections of the surveyapp sheet (origins go to the context)."""
    if sheet is None:
        return {}
    for row in sheet.rows:
        for index in row.texts:
            if index != 1:
                ctx.warn(Location("surveyapp", row.number, index), "only column A is read")
                break
    text = "\n".join(sheet_lines(sheet))
    try:
        data = safe_load(text)
        node = compose(text)
    except yaml.MarkedYAMLError:
        try:  # PyYAML's own parser places marks better than libyaml's
            yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = min(mark.line, max(text.count("\n"), 0)) + 2 if mark else 2
            message = " ".join(str(p) for p in (exc.context, exc.problem) if p)
            ctx.error(Location("surveyapp", line, 1, SHEET_HEADER), f"YAML: {message}")
        return {}
    except yaml.YAMLError as exc:
        ctx.error(Location("surveyapp", 2, 1, SHEET_HEADER), f"YAML: {exc}")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict) or node is None:
        ctx.error(Location("surveyapp", 2, 1, SHEET_HEADER), "write sections such as endings:")
        return {}
    _origins(ctx, node, ())
    for key in list(data):
        loc = ctx.origins.get((key,), Location("surveyapp", 2, 1, SHEET_HEADER))
        if key in ELSEWHERE:
            ctx.error(loc, f"'{key}' does not belong in the surveyapp sheet: {ELSEWHERE[key]}")
            del data[key]
    survey = data.get("survey")
    if isinstance(survey, dict):
        for key in list(survey):
            if key in SURVEY_ELSEWHERE:
                loc = ctx.origins.get(("survey", key), Location("surveyapp"))
                ctx.error(loc, f"survey.{key} is set by {SURVEY_ELSEWHERE[key]} instead")
                del survey[key]
    return data


def _key(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int"):
        try:
            return int(node.value)
        except ValueError:
            return node.value
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _origins(ctx: Context, node: yaml.Node, path: tuple[Any, ...]) -> None:
    if path and path not in ctx.origins:
        ctx.origin(path, Location("surveyapp", node.start_mark.line + 2, 1, SHEET_HEADER))
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            key = _key(key_node)
            if path == ():
                loc = Location("surveyapp", key_node.start_mark.line + 2, 1, SHEET_HEADER)
                ctx.origin((key,), loc)
            _origins(ctx, value, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _origins(ctx, item, (*path, i))
