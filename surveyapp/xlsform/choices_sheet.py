"""The choices sheet: option lists, and which of them are written inline in a question.

A list keeps its name (`options: <list>`) unless it is named after the only question that
uses it (or `<id>__inline`, which the export writes when a named list already has the
question's id): then it is written inline. `or_other` always gives the question its own
inline copy of the list, plus the `other_choice` option.
"""

from __future__ import annotations

import copy
from typing import Any

from .conditions import OR_OTHER, code_value
from .context import IDENT, Context
from .exporter import INLINE
from .languages import OTHER_LABEL
from .problems import Location
from .reader import Sheet
from .survey_sheet import ListRef


def read_choices(ctx: Context, sheet: Sheet | None) -> dict[str, list[tuple[dict, Location]]]:
    from .questions import surveyapp_columns

    lists: dict[str, list[tuple[dict, Location]]] = {}
    if sheet is None:
        return lists
    for column in sheet.columns:
        if column.base not in ("list_name", "name", "label", "surveyapp"):
            used = [r for r in sheet.rows if column.index in r.texts]
            if used and column.base == "media":
                for row in used:
                    ctx.error(sheet.cell_loc(row, column), "images in choices are not supported")
            elif used:
                message = (
                    f"column '{column.header}' ignored "
                    "(filtering choices by a column is not supported)"
                )
                ctx.warn(Location("choices", 1, column.index, column.header), message)
    for row in sheet.rows:
        list_name = sheet.get(row, "list_name")
        name = sheet.get(row, "name")
        if not list_name:
            ctx.error(sheet.loc(row, "list_name"), "this choice has no list_name")
            continue
        code = code_value(name)
        if code is None:
            message = (
                f"choice name '{name}' cannot be a code: use a whole number without leading "
                "zeros (1, 15) or a lower-case identifier (yes, dont_know), and update relevant"
            )
            ctx.error(sheet.loc(row, "name"), message)
            continue
        items = lists.setdefault(list_name, [])
        if any(o["code"] == code for o, _ in items):
            ctx.error(sheet.loc(row, "name"), f"choice '{name}' is twice in list '{list_name}'")
            continue
        option: dict[str, Any] = {"code": code}
        label = ctx.texts(sheet, row, "label", "label", required=True)
        if label:
            option["label"] = label
        for key, (value, loc) in surveyapp_columns(ctx, sheet, row, frozenset()).items():
            if key in option:
                ctx.error(loc, f"'{key}' is already set by the XLSForm columns")
            else:
                option[key] = value
        items.append((option, sheet.loc(row, "name")))
    return lists


def resolve_options(ctx: Context, pages: list, lists: dict) -> dict[str, list]:
    """Named lists stay named; a list named after its only question is written inline."""
    questions = [(path, q) for path, q in questions_with_paths(pages)]
    by_id = {q["id"]: q for _, q in questions}
    for _, q in questions:
        ref, source = q.get("options"), by_id.get(q.get("options_from"))
        source_ref = source.get("options") if source else None
        if (
            isinstance(ref, ListRef)
            and isinstance(source_ref, ListRef)
            and ref.name == source_ref.name
            and not (ref.or_other or source_ref.or_other)
        ):
            del q["options"]
    refs = [
        (path, q, key, q[key])
        for path, q in questions
        for key in ("options", "scale")
        if isinstance(q.get(key), ListRef)
    ]
    uses: dict[str, int] = {}
    for *_, ref in refs:
        uses[ref.name] = uses.get(ref.name, 0) + 1
    named: set[str] = set()
    for path, q, key, ref in refs:
        if ref.name not in lists:
            ctx.error(ref.loc, f"there is no list '{ref.name}' in the choices sheet")
            continue
        own = ref.name in (q["id"], f"{q['id']}{INLINE}")
        if ref.or_other or (own and uses[ref.name] == 1):
            q[key] = _inline(ctx, ref, lists[ref.name], (*path, key))
        else:
            q[key] = ref.name
            named.add(ref.name)
    result = {}
    for name, items in lists.items():
        if name in named or name not in uses:
            if not IDENT.match(name):
                message = f"list name '{name}' cannot be an id: lower-case letters, digits and _"
                ctx.error(Location(items[0][1].sheet, items[0][1].row, 1, "list_name"), message)
            result[name] = [copy.deepcopy(o) for o, _ in items]
            for i, (_, loc) in enumerate(items):
                ctx.origin(("option_lists", name, i), loc)
    return result


def questions_with_paths(pages: list):
    for p, page in enumerate(pages):
        for k, q in enumerate(page["questions"]):
            yield ("pages", p, "questions", k), q


def _inline(ctx: Context, ref: ListRef, items: list, path) -> list[dict]:
    options = [copy.deepcopy(o) for o, _ in items]
    for i, (_, loc) in enumerate(items):
        ctx.origin((*path, i), loc)
    if ref.or_other:
        if any(o["code"] in ("other", OR_OTHER) for o in options):
            message = (
                f"list '{ref.name}' already has a choice 'other': mark it with "
                "surveyapp_other instead of using or_other"
            )
            ctx.error(ref.loc, message)
        missing = [lang for lang in ctx.languages if lang not in OTHER_LABEL]
        if missing:
            message = (
                f"or_other has no built-in label in {', '.join(missing)}: add an 'other' choice "
                "to the list with surveyapp_other set to true"
            )
            ctx.error(ref.loc, message)
            return options
        label = {lang: OTHER_LABEL[lang] for lang in ctx.languages}
        options.append({"code": OR_OTHER, "label": label, "other": True})
        words = " / ".join(label.values())
        message = f"or_other adds the choice {OR_OTHER} labelled {words}, with a text field"
        ctx.warn(ref.loc, message)
    return options
