"""One survey-sheet row -> one question dict (and a table-list group -> one matrix)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from . import cascade, constraints
from . import checks as xlschecks
from .conditions import code_value
from .context import IDENT, Context, author_column
from .problems import Location
from .reader import Sheet, SheetRow
from .survey_sheet import ListRef, Node, Pending, parse_required
from .types import REFINED, our_type
from .xpath import XPathError
from .yamltext import load_cell

if TYPE_CHECKING:
    from .survey_sheet import SurveySheet

#: A choice filter on a column of the choices sheet and a fixed value: `pastel = 'yes'`.
STATIC_FILTER = re.compile(
    r"\s*(?P<column>[A-Za-z_][\w.-]*)\s*=\s*"
    r"(?:'(?P<q1>[^']*)'|\"(?P<q2>[^\"]*)\"|(?P<plain>[\w.-]+))\s*\Z"
)
#: Our type -> the XLSForm base type its constraint is read for.
CONSTRAINED = {
    "integer": "integer",
    "nps": "integer",
    "decimal": "decimal",
    "multiple": "select_multiple",
    "text": "text",
    "date": "date",
}


def surveyapp_columns(
    ctx: Context, sheet: Sheet, row: SheetRow, skip: frozenset[str] = frozenset({"when"})
) -> dict[str, tuple[Any, Location]]:
    """The `surveyapp_<key>` cells of a row, as YAML values."""
    found: dict[str, tuple[Any, Location]] = {}
    for column in sheet.with_base("surveyapp"):
        raw = row.texts.get(column.index)
        if not raw:
            continue
        loc = sheet.cell_loc(row, column)
        key = column.suffix or ""
        if not IDENT.match(key):
            ctx.error(loc, "name extension columns surveyapp_<key>, e.g. surveyapp_personal")
            continue
        if key in skip:
            continue
        try:
            found[key] = (load_cell(raw), loc)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            ctx.error(loc, f"not a valid YAML value ({problem}); quote text that has a colon")
    return found


def build_question(ss: SurveySheet, node: Node, path: tuple[Any, ...]) -> dict[str, Any] | None:
    """The question of a survey-sheet row, or None when it is refused."""
    ctx, sheet, row, kind = ss.ctx, ss.sheet, node.row, node.kind
    ctx.origin(path, sheet.loc(row, "name"))
    qid = ctx.identifier(sheet, row, "name", "question", exported=True)
    extras = surveyapp_columns(ctx, sheet, row)
    refined = extras.pop("type", (None, None))
    qtype = our_type(kind, refined[0])
    if qtype is None:
        wanted = REFINED.get(str(refined[0]))
        message = (
            f"surveyapp_type {refined[0]} needs the XLSForm type {wanted}"
            if wanted
            else "surveyapp_type may be email (on text), nps (on integer) or consent"
        )
        ctx.error(refined[1] or sheet.loc(row, "type"), message)
        return None
    if qid is None:
        return None
    question: dict[str, Any] = {"id": qid, "type": qtype}
    column = author_column(sheet, row, qid)
    if column is not None:
        question["column"] = column
    text = ctx.texts(sheet, row, "label", "label", required=True)
    if text:
        question["text"] = text
        ctx.origin((*path, "text"), sheet.loc(row, "label", _first_suffix(sheet, "label")))
    hint = ctx.texts(sheet, row, "hint", "hint", required=False)
    if hint:
        question["help"] = hint
        ctx.origin((*path, "help"), sheet.loc(row, "hint", _first_suffix(sheet, "hint")))
    if qtype != "note":
        _required(ctx, sheet, row, question)
        required = sheet.get(row, "required")
        if parse_required(required) is None and xlschecks.reads_answers(required):
            xlschecks.add_required_when(ss, question, path, required, sheet.loc(row, "required"))
    if kind.list_name:
        question["options"] = ListRef(kind.list_name, kind.or_other, sheet.loc(row, "type"))
        ctx.origin((*path, "options"), sheet.loc(row, "type"))
    _appearance(ctx, sheet, row, question)
    _parameters(ctx, sheet, row, question, kind.base)
    if kind.base == "phone number":
        ctx.warn(sheet.loc(row, "type"), "phone number becomes a text question")
    _constraint(ctx, sheet, row, question, path, ss)
    _choice_filter(ctx, sheet, row, question, path)
    for key, (value, loc) in extras.items():
        if key in question:
            ctx.error(loc, f"'{key}' is already set by the XLSForm columns of this row")
            continue
        question[key] = value
        ctx.origin((*path, key), loc)
    return question


def _first_suffix(sheet: Sheet, base: str) -> str | None:
    columns = sheet.with_base(base)
    return columns[0].suffix if columns else None


def _required(ctx: Context, sheet: Sheet, row: SheetRow, question: dict[str, Any]) -> None:
    text = sheet.get(row, "required")
    value = parse_required(text)
    loc = sheet.loc(row, "required")
    if value is None:
        if not xlschecks.reads_answers(text):  # else required_when (checks.py)
            ctx.error(loc, "required must be yes or no, or a condition on ${other} questions")
        return
    if question["type"] == "consent":
        if not value:
            message = "acknowledge becomes a consent question, which is always required"
            ctx.warn(loc, message)
        return
    if value != (question["type"] not in ("text", "email")):
        question["required"] = value


def _appearance(ctx: Context, sheet: Sheet, row: SheetRow, question: dict[str, Any]) -> None:
    ignored = []
    for token in sheet.get(row, "appearance").split():
        if question["type"] == "single" and token.lower() == "minimal":
            question["display"] = "dropdown"
        elif question["type"] == "text" and token.lower() == "multiline":
            question["multiline"] = True
        else:
            ignored.append(token)
    if ignored:
        ctx.warn(sheet.loc(row, "appearance"), f"appearance '{' '.join(ignored)}' ignored")


def _parameters(
    ctx: Context, sheet: Sheet, row: SheetRow, question: dict[str, Any], kind: str
) -> None:
    text = sheet.get(row, "parameters")
    loc = sheet.loc(row, "parameters")
    bounds = {"start": "1", "end": "10", "step": "1"}  # pyxform's defaults for range
    for item in filter(None, re.split(r"[\s,;]+", text)):
        key, _, value = item.partition("=")
        key, value = key.strip().lower(), value.strip().lower()
        if kind == "range" and key in bounds:
            bounds[key] = value
        elif kind == "range" and key in ("placeholder", "tick_interval", "tick_labelset"):
            ctx.warn(loc, f"range parameter '{key}' ignored: the answer is typed in a box")
        elif kind == "range":
            ctx.error(
                loc,
                f"range parameter '{key}' is unknown: range takes start, end, step "
                "(and placeholder, tick_interval, tick_labelset)",
            )
        elif key == "randomize" and question["type"] in ("single", "multiple"):
            if value in ("true", "yes", "true()"):
                question["order"] = "random"
            elif value not in ("false", "no", "false()"):
                ctx.error(loc, "randomize must be true or false")
        elif key == "seed":
            ctx.warn(loc, "seed ignored: the order is seeded per response, and kept on reload")
        elif key == "rows" and question["type"] == "text":
            ctx.warn(loc, "rows ignored: use appearance multiline for a large text box")
        else:
            ctx.error(loc, f"parameter '{key}' is not supported on this question (remove it)")
    if kind == "range":
        _range(ctx, loc, question, bounds)


def _range(ctx: Context, loc: Location, question: dict[str, Any], bounds: dict) -> None:
    """`range` with whole start/end and step 1 -> an integer with min and max."""
    try:
        start, end, step = (int(bounds[k]) for k in ("start", "end", "step"))
    except ValueError:
        ctx.error(loc, "range start, end and step must be whole numbers here")
        return
    if step != 1 or start > end:
        ctx.error(loc, "a range is imported with step=1 and start <= end (an integer with bounds)")
        return
    question["min"], question["max"] = start, end
    ctx.warn(loc, f"range becomes an integer question from {start} to {end} (no slider)")


def _constraint(ctx, sheet, row, question: dict[str, Any], path, ss=None) -> None:
    text = sheet.get(row, "constraint")
    if not text:
        if sheet.get(row, "constraint_message"):
            ctx.warn(sheet.loc(row, "constraint_message"), "constraint_message without constraint")
        return
    loc = sheet.loc(row, "constraint")
    base = CONSTRAINED.get(question["type"])
    if base is None:
        what = "addresses are checked by the platform" if question["type"] == "email" else ""
        ctx.error(
            loc, f"no constraint on a {question['type']} question{': ' if what else ''}{what}"
        )
        return
    if ss is not None and xlschecks.reads_answers(text):  # `. <= ${age}`: a check
        xlschecks.add_check(ss, sheet, row, question, path, text)
        return
    try:
        found = constraints.bounds(text, base)
    except XPathError as exc:
        ctx.error(loc, exc.message, exc.pos + 1)
        return
    if question["type"] == "nps":
        if found != {"min": 0, "max": 10}:
            ctx.error(loc, "an nps question is always 0 to 10: write . >= 0 and . <= 10")
        return
    question.update(found)
    own = xlschecks.message(ctx, sheet, row)
    if own:
        question["constraint_message"] = own
    for key in found:
        ctx.origin((*path, key), loc)


def _choice_filter(ctx, sheet, row, question: dict[str, Any], path) -> None:
    text = sheet.get(row, "choice_filter")
    if not text:
        return
    loc = sheet.loc(row, "choice_filter")
    if question["type"] not in ("single", "multiple"):
        ctx.error(loc, "only select questions have a choice filter")
        return
    filters = cascade.parse_filter(text)
    if filters is not None:  # `region = ${region}`: cascading choices (option conditions)
        question["_cascade"] = (filters, None, loc)
        ctx.filter_columns.update(column for column, _ in filters)
        return
    static = STATIC_FILTER.match(text)
    if static is not None:  # `pastel=yes`: the choices whose pastel column says yes
        column = static.group("column").lower()
        value = next(v for v in static.group("q1", "q2", "plain") if v is not None)
        question["_static_filter"] = (column, value, loc)
        ctx.filter_columns.add(column)
        return
    try:
        source, _ = constraints.options_from(text)
    except XPathError as exc:
        ctx.error(loc, exc.message, exc.pos + 1)
        return
    question["options_from"] = source
    ctx.origin((*path, "options_from"), loc)


# ---------------------------------------------------------------------- matrix
GRID_RULE = (
    "a table-list group becomes a grid (matrix) question: its rows must all be select_one "
    "questions of the same list, without or_other"
)


def build_matrix(ss: SurveySheet, node: Node, path: tuple[Any, ...]) -> dict[str, Any] | None:
    """The matrix question of a table-list group, or None when it is refused."""
    ctx, sheet, row = ss.ctx, ss.sheet, node.row
    ctx.origin(path, sheet.loc(row, "name"))
    mid = ctx.identifier(sheet, row, "name", "grid (table-list group)")
    children = node.children
    lists = {c.kind.list_name for c in children}
    if not children or len(lists) != 1 or any(_not_a_row(c) for c in children):
        ctx.error(sheet.loc(row, "type"), GRID_RULE)
        return None
    if mid is None:
        return None
    matrix: dict[str, Any] = {"id": mid, "type": "matrix"}
    text = ctx.texts(sheet, row, "label", "label (the grid's question)", required=True)
    if text:
        matrix["text"] = text
    hint = ctx.texts(sheet, row, "hint", "hint", required=False)
    if hint:
        matrix["help"] = hint
    required = {bool(parse_required(sheet.get(c.row, "required"))) for c in children}
    if len(required) != 1:
        ctx.error(sheet.loc(row, "type"), "the rows of a grid are all required or all optional")
    elif required == {False}:
        matrix["required"] = False
    matrix["scale"] = ListRef(children[0].kind.list_name or "", False, sheet.loc(row, "type"))
    matrix["rows"] = []
    for i, child in enumerate(children):
        _matrix_row(ss, mid, child, matrix, (*path, "rows", i))
    for key, (value, loc) in surveyapp_columns(ctx, sheet, row).items():
        if key in matrix:
            ctx.error(loc, f"'{key}' is already set by the XLSForm columns of this row")
        else:
            matrix[key] = value
            ctx.origin((*path, key), loc)
    return matrix


def _not_a_row(child: Node) -> bool:
    return child.is_group or child.kind.base != "select_one" or child.kind.or_other


def _matrix_row(ss: SurveySheet, mid: str, child: Node, matrix: dict, path) -> None:
    ctx, sheet, row = ss.ctx, ss.sheet, child.row
    name = ctx.identifier(sheet, row, "name", "grid row")
    ctx.origin(path, sheet.loc(row, "name"))
    for base in ("constraint", "choice_filter", "parameters", "hint"):
        if sheet.get(row, base):
            ctx.error(sheet.loc(row, base), f"a grid row has no {base}: clear the cell")
    if surveyapp_columns(ctx, sheet, row):
        ctx.error(sheet.loc(row), "set a grid's surveyapp_ columns on its begin group row")
    if sheet.get(row, "appearance"):
        ctx.warn(sheet.loc(row, "appearance"), "appearance of a grid row ignored")
    if name is None:
        return
    code_text = name[len(mid) + 1 :] if name.startswith(f"{mid}_") else name
    code = code_value(code_text)
    if code is None:
        ctx.error(sheet.loc(row, "name"), f"'{code_text}' cannot be a row code")
        return
    item: dict[str, Any] = {"code": code}
    text = ctx.texts(sheet, row, "label", "label", required=True)
    if text:
        item["text"] = text
    matrix["rows"].append(item)
    ss.row_names[(mid, str(code))] = name
    conds = ss._rel(row)
    if conds:
        ss.pending.append(Pending(item, (*path, "when"), path[1], conds))
