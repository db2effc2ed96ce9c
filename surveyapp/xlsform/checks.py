"""XLSForm constraints between answers and conditional `required`, as schema checks.

- a `constraint` that reads other answers (`. <= ${age}`) becomes a check of the question
  (`checks: [{condition, message}]`): `.` is the question itself, the rest is translated like a
  `relevant` (conditions.py), with the answers of this page allowed;
- `required` holding an expression (`${employed} = 'yes'`) becomes `required_when`;
- `constraint_message` (per language) is the check's message, or the question's
  `constraint_message` when the constraint is made of bounds (constraints.py).

Only the first two need the names of every question: they are queued as `Pending` conditions,
translated by the importer once the symbols are known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import xpath
from .languages import language_code
from .problems import Location
from .reader import Sheet, SheetRow
from .survey_sheet import Pending

if TYPE_CHECKING:
    from .context import Context
    from .survey_sheet import SurveySheet

#: The message of a constraint between answers that has no constraint_message, in the
#: languages the platform writes; another language needs the workbook's own message.
DEFAULT_MESSAGE = {
    "fr": "Cette réponse ne concorde pas avec vos autres réponses : veuillez la vérifier.",
    "en": "This answer does not agree with your other answers: please check it.",
}


def reads_answers(text: str) -> bool:
    """The expression names another question (`${name}`)."""
    try:
        return any(token.kind == "ref" for token in xpath.tokenize(text))
    except xpath.XPathError:
        return "${" in text


def dot_as(text: str, name: str) -> str:
    """The expression with `.` (the question itself) written `${name}`."""
    out: list[str] = []
    last = 0
    for token in xpath.tokenize(text):
        if token.kind == "dot":
            out += [text[last : token.pos], f"${{{name}}}"]
            last = token.pos + 1
    return "".join(out) + text[last:]


def message(ctx: Context, sheet: Sheet, row: SheetRow) -> dict[str, str] | None:
    """`constraint_message` / `constraint_message::<language>`, in every language (a missing
    language is an error at its cell), or None when the row has none. Its columns may name a
    language in any spelling (`constraint_message::fr` next to `label::French (fr)`)."""
    for column in sheet.with_base("constraint_message"):
        if column.suffix not in ctx.lang_of:
            code = language_code(column.suffix) if column.suffix else None
            if code in ctx.languages:
                ctx.lang_of[column.suffix] = code
    return ctx.texts(sheet, row, "constraint_message", "constraint message", required=False)


def add_check(
    ss: SurveySheet,
    sheet: Sheet,
    row: SheetRow,
    question: dict[str, Any],
    path: tuple[Any, ...],
    text: str,
) -> None:
    """Queue the constraint `text` as a check of `question` (translated by the importer)."""
    ctx, loc = ss.ctx, sheet.loc(row, "constraint")
    name = sheet.get(row, "name")
    try:
        written = dot_as(text, name)
    except xpath.XPathError as exc:
        ctx.error(loc, exc.message, exc.pos + 1)
        return
    text_of = message(ctx, sheet, row)
    if text_of is None:
        missing = [lang for lang in ctx.languages if lang not in DEFAULT_MESSAGE]
        if missing:
            where = sheet.loc(row, "constraint")
            ctx.error(where, "a constraint between answers needs a constraint_message here")
            return
        text_of = {lang: DEFAULT_MESSAGE[lang] for lang in ctx.languages}
        ctx.warn(loc, "no constraint_message: the platform's message is shown when it fails")
    check: dict[str, Any] = {"condition": None, "message": text_of}
    checks = question.setdefault("checks", [])
    checks.append(check)
    where = (*path, "checks", len(checks) - 1, "condition")
    ss.pending.append(
        Pending(check, where, path[1], [("xpath", written, loc)], key="condition", same_page=True)
    )


def add_required_when(
    ss: SurveySheet, question: dict[str, Any], path: tuple[Any, ...], text: str, loc: Location
) -> None:
    """Queue a `required` expression as the question's `required_when`."""
    question.pop("required", None)
    where = (*path, "required_when")
    ss.pending.append(
        Pending(
            question, where, path[1], [("xpath", text, loc)], key="required_when", same_page=True
        )  # fmt: skip
    )
