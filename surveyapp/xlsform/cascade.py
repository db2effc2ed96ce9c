"""Cascading choices: a `choice_filter` comparing choices-sheet columns with earlier answers.

`select_one zone` with the choice filter `region = ${region}` offers the zones whose `region`
column holds the answer to `region` (ODK's cascading selects). Each choice of the question's
own (inline) copy of the list gets the condition `when: {q: region, eq: <its region cell>}`,
translated like a `relevant` (so codes, types and page order are checked, located at the
choices-sheet cell). Filters joined with `and` give an `all` of such conditions. A choice with
an empty filter cell is never offered by ODK: it is left out, with a warning.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .problems import Location

if TYPE_CHECKING:
    from .context import Context
    from .survey_sheet import Pending

_PART = re.compile(
    r"\s*(?:(?P<column>[A-Za-z_][\w.-]*)\s*=\s*\$\{\s*(?P<name>[^}\s]+)\s*\}"
    r"|\$\{\s*(?P<name2>[^}\s]+)\s*\}\s*=\s*(?P<column2>[A-Za-z_][\w.-]*))\s*\Z"
)


def parse_filter(text: str) -> list[tuple[str, str]] | None:
    """[(choices-sheet column, question name)] of `col = ${q} [and col2 = ${q2}…]`, or None."""
    found = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _PART.match(part)
        if match is None:
            return None
        column = match.group("column") or match.group("column2")
        found.append((column.lower(), match.group("name") or match.group("name2")))
    return found


def _literal(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def attach(ctx: Context, pages: list, pending: list[Pending]) -> None:
    """Give the options of each cascading question their conditions (as pending conditions)."""
    from .choices_sheet import questions_with_paths
    from .survey_sheet import Pending

    for path, question in questions_with_paths(pages):
        cascade = question.pop("_cascade", None)
        options = question.get("options")
        if cascade is None or not isinstance(options, list):
            continue
        filters, list_name, loc = cascade
        present = {c for (name, _), v in ctx.choice_columns.items() if name == list_name for c in v}
        missing = [column for column, _ in filters if column not in present]
        for column in missing:
            unknown_column(ctx, loc, column)
        if missing:
            continue
        kept: list[dict[str, Any]] = []
        never: list[str] = []
        for option in options:
            values = ctx.choice_columns.get((list_name, option["code"]))
            if values is None:  # the choice or_other adds: always offered
                kept.append(option)
                continue
            cells = ctx.choice_cells.get((list_name, option["code"]), {})
            parts = []
            for column, name in filters:
                value = values.get(column, "")
                if not value:
                    break
                where = cells.get(column, loc)
                parts.append(("xpath", f"${{{name}}} = {_literal(value)}", where))
            else:
                index = len(kept)
                kept.append(option)
                option_path = (*path, "options", index, "when")
                pending.append(Pending(option, option_path, path[1], parts, loc))
                continue
            never.append(str(option["code"]))
        question["options"] = kept
        columns = ", ".join(f"{c} = ${{{n}}}" for c, n in filters)
        message = (
            f"cascading choices: each choice of list '{list_name}' is offered when its "
            f"{columns} (a condition on each option)"
        )
        ctx.warn(loc, message)
        if never:
            message = (
                f"the choices {', '.join(never)} of list '{list_name}' have an empty filter "
                "cell: the choice filter never offers them, so they are left out"
            )
            ctx.warn(loc, message)
        if not kept:
            ctx.error(loc, f"the choice filter offers no choice of list '{list_name}'")


def unknown_column(ctx: Context, loc: Location, column: str) -> None:
    """A filter column the choices sheet does not have."""
    ctx.error(loc, f"the choices sheet has no column '{column}' for this choice filter")
