"""`calculate` rows and read-only questions with a calculation -> derived variables: a count
of a multiple choice's answers, or a calculation parsed here (typed by calculations.py once
every name is known); a read-only question's value is shown in a note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine import calc
from . import authoring, constraints
from .context import author_column
from .reader import SheetRow
from .types import RowType
from .xpath import XPathError

if TYPE_CHECKING:
    from .survey_sheet import SurveySheet


def read_only_question(survey: SurveySheet, row: SheetRow, kind: RowType) -> dict[str, Any] | None:
    """A read-only question: with a calculation, a derived variable; the note that shows its
    value (None without a label, or when the row is refused)."""
    ctx, sheet = survey.ctx, survey.sheet
    if not sheet.get(row, "calculation"):
        message = (
            "a read-only question without a calculation is never answered: clear read_only, "
            "write its calculation, or make it a note"
        )
        ctx.error(sheet.loc(row, "read_only"), message)
        return None
    name = read_calculate(survey, row, f"read-only {kind.base}")
    if name is None:
        return None
    taken = survey.names | {ctx.renamed.get(n, n) for n in survey.names}
    note = authoring.shown_value(ctx, sheet, row, name, taken)
    shown = f", shown in the note '{note['id']}'" if note else " (no label: not shown)"
    message = (
        f"the read-only {kind.base} '{sheet.get(row, 'name')}' becomes the calculation "
        f"'{name}' (a derived variable, exported){shown}"
    )
    ctx.warn(sheet.loc(row, "read_only"), message)
    return note


def read_calculate(survey: SurveySheet, row: SheetRow, what: str = "calculate") -> str | None:
    """The derived variable of a calculate row, added to `survey.derived`: its name, or None
    (a mirror of a derived variable of the surveyapp sheet, or a refused row)."""
    ctx, sheet = survey.ctx, survey.sheet
    name = ctx.identifier(sheet, row, "name", what, exported=True)
    if name in survey.declared:  # a mirror written by the export so that ${name} resolves
        return None
    calculation = sheet.get(row, "calculation")
    loc = sheet.loc(row, "calculation")
    numbers = authoring.numeric_results(calculation)
    if numbers is not None:
        message = (
            "the calculation gives numbers written in quotes (codes computed as texts): "
            "they are calculated as numbers"
        )
        ctx.warn(loc, message)
        calculation = numbers
    constraint = sheet.get(row, "constraint")
    if constraint:
        authoring.constraint_not_checked(ctx, sheet.loc(row, "constraint"), constraint)
    derived: dict[str, Any] = {"id": name}
    column = author_column(sheet, row, name) if name else None
    if column is not None:
        derived["column"] = column
    label = ctx.texts(sheet, row, "label", "label", required=False)
    if label:
        derived["label"] = label
    try:
        source, _ = constraints.count_of(calculation)
        derived.update({"type": "number", "count": source})
    except XPathError:
        try:
            node = calc.parse(calculation)
        except calc.CalcError as exc:
            ctx.error(loc, exc.message, exc.pos + 1 if calculation else None)
            return None
        derived["calc"] = calculation
        survey.calcs[id(derived)] = node
    if name is None:
        return None
    ctx.origin(("derived-calc", name), loc)
    survey.derived.append(derived)
    return name
