"""The survey sheet's columns: which are read, which are refused when a cell is filled (with
what to do), which are dropped with one warning, and a warning for each unknown one.
"""

from __future__ import annotations

from .context import Context
from .problems import Location
from .reader import Sheet

#: Columns that are read (others get one warning each).
KNOWN = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
        "constraint_message",
        "required_message",
        "guidance_hint",
        "appearance",
        "choice_filter",
        "parameters",
        "calculation",
        "read_only",
        "surveyapp",
    }
)
#: Columns refused when a cell is filled, with what to do.
REFUSED_COLUMNS = {
    "default": "default answers are not supported: clear the cell",
    "repeat_count": "repeats are not supported",
    "trigger": "triggers are not supported: clear the cell",
    "media": "images, audio and video in questions are not supported: clear the cell",
    "bind": "custom XForms attributes are not supported: clear the cell",
    "instance": "custom XForms attributes are not supported: clear the cell",
    "body": "custom XForms attributes are not supported: clear the cell",
    "control": "custom XForms attributes are not supported: clear the cell",
}
DROPPED = {
    "required_message": "required_message ignored: the platform writes its own translated message",
    "guidance_hint": "guidance_hint ignored: only hint is shown",
}


def check_columns(ctx: Context, sheet: Sheet) -> None:
    """An error for each filled cell of a refused column, a warning for each column ignored."""
    warned: set[str] = set()
    for column in sheet.columns:
        used = [r for r in sheet.rows if column.index in r.texts]
        if not used:
            continue
        if column.base in REFUSED_COLUMNS:
            for row in used:
                ctx.error(sheet.cell_loc(row, column), REFUSED_COLUMNS[column.base])
        elif column.base in DROPPED and column.base not in warned:
            warned.add(column.base)
            ctx.warn(sheet.cell_loc(used[0], column), DROPPED[column.base])
        elif column.base not in KNOWN:
            loc = Location("survey", 1, column.index, column.header)
            ctx.warn(loc, f"column '{column.header}' ignored")
