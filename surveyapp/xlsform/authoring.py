"""What authors write that a web survey maps rather than takes as is, each said in a warning.

- a note without a name gets a stable one (`note_r<row>`);
- `read_only` on a question with a `calculation` (ODK shows the computed value and lets nobody
  type it): a calculation (derived variable), shown in a note when the row has a label; on a
  note or a `calculate` row it changes nothing;
- a calculation whose results are numbers written in quotes (`if(x < 50, "1", "2")`, codes
  computed as texts) gives numbers, so that later arithmetic on it works as in XPath;
- `${Name}` in a text follows the name to the id it became (`${name}`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..engine import calc
from .problems import Location
from .reader import Sheet, SheetRow

if TYPE_CHECKING:
    from .context import Context

NUMERIC = re.compile(r"-?\d+(\.\d+)?\Z")
PIPED = re.compile(r"\$\{\s*([^}\s]+)\s*\}")
#: the text shown before a read-only calculated value, per language: "label: value"
SEPARATOR = {"fr": "\u00a0: ", "en": ": "}


def name_unnamed_notes(ctx: Context, sheet: Sheet) -> None:
    """Give each note row without a name a stable name (`note_r<row>`), with a warning."""
    column = sheet.find("name")
    if column is None:
        return
    taken = {sheet.get(row, "name") for row in sheet.rows}
    for row in sheet.rows:
        if sheet.get(row, "name") or sheet.get(row, "type").strip().lower() != "note":
            continue
        name = f"note_r{row.number}"
        while name in taken:
            name += "_"
        taken.add(name)
        row.texts[column.index] = name
        ctx.warn(sheet.loc(row, "name"), f"this note has no name: it is named '{name}'")


def numeric_results(text: str) -> str | None:
    """The calculation with its quoted numeric results unquoted (`if(a, "1", "2")` ->
    `if(a, 1, 2)`), or None when a result is not a quoted number (or nothing is quoted)."""
    try:
        tree = calc.parse(text)
    except calc.CalcError:
        return None
    found: list[calc.Lit] = []

    def results(node: calc.Node) -> bool:
        if isinstance(node, calc.Call) and node.name == "if" and len(node.args) == 3:
            return results(node.args[1]) and results(node.args[2])
        if isinstance(node, calc.Lit) and isinstance(node.value, str):
            found.append(node)
            return bool(NUMERIC.match(node.value.strip()))
        return isinstance(node, calc.Lit)

    if not results(tree) or not found:
        return None
    for lit in sorted(found, key=lambda n: n.pos, reverse=True):
        value = str(lit.value)
        text = text[: lit.pos] + value.strip() + text[lit.pos + len(value) + 2 :]
    return text


def read_only_flag(ctx: Context, sheet: Sheet, row: SheetRow) -> bool:
    """The row's read_only cell as a boolean (an error for something else than yes/no)."""
    from .survey_sheet import parse_required

    value = parse_required(sheet.get(row, "read_only"))
    if value is None:
        ctx.error(sheet.loc(row, "read_only"), "read_only must be yes or no")
        return False
    return value


def warn_unused_read_only(ctx: Context, sheet: Sheet, rows: list[SheetRow]) -> None:
    """One warning for the notes and calculate rows marked read_only (they always are)."""
    if rows:
        numbers = ", ".join(str(r.number) for r in rows)
        message = (
            f"read_only changes nothing on notes and calculate rows (rows {numbers}): "
            "the respondent never types them"
        )
        ctx.warn(sheet.loc(rows[0], "read_only"), message)


def shown_value(
    ctx: Context, sheet: Sheet, row: SheetRow, name: str, taken: set[str]
) -> dict[str, Any] | None:
    """The note that shows a read-only calculated value (None when the row has no label)."""
    label = ctx.texts(sheet, row, "label", "label", required=False)
    if not label:
        return None
    note_id = f"{name}_shown"
    while note_id in taken:
        note_id += "_"
    taken.add(note_id)
    text = {
        lang: f"{value.rstrip().rstrip(':').rstrip()}{SEPARATOR.get(lang, ': ')}${{{name}}}"
        for lang, value in label.items()
    }
    note: dict[str, Any] = {"id": note_id, "type": "note", "text": text}
    hint = ctx.texts(sheet, row, "hint", "hint", required=False)
    if hint:
        note["help"] = hint
    return note


def follow_piped_names(ctx: Context, schema: Any) -> None:
    """`${Name}` in every text of the schema -> `${name}` when the name became another id."""
    if not ctx.renamed:
        return

    def follow(match: re.Match[str]) -> str:
        return "${" + ctx.renamed.get(match.group(1), match.group(1)) + "}"

    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "help", "label", "message", "title") and isinstance(value, dict):
                    node[key] = {
                        lang: PIPED.sub(follow, t) if isinstance(t, str) else t
                        for lang, t in value.items()
                    }
                else:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)
        return node

    visit(schema)


def constraint_not_checked(ctx: Context, loc: Location, text: str) -> None:
    """A constraint on a calculated value: the respondent cannot correct it, so it is not
    checked; said in a warning with the constraint."""
    message = (
        f"the constraint '{text}' is on a calculated value, which the respondent cannot "
        "correct: it is not checked (check the values it is calculated from instead)"
    )
    ctx.warn(loc, message)
