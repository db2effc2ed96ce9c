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
from .context import IDENT, Context, as_identifier, column_name
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
            elif used and column.base in ctx.filter_columns:
                continue
            elif used:
                message = f"column '{column.header}' ignored (no choice filter reads it)"
                ctx.warn(Location("choices", 1, column.index, column.header), message)
    renamed: dict[str, list[str]] = {}
    names: dict[str, list[tuple[Any, str]]] = {}
    for row in sheet.rows:
        list_name = sheet.get(row, "list_name")
        name = sheet.get(row, "name")
        if not list_name:
            ctx.error(sheet.loc(row, "list_name"), "this choice has no list_name")
            continue
        code = code_value(name) if name else None
        if code is None and name:
            code = as_identifier(name) or None
            if code is not None:
                ctx.renamed_codes[name] = code
                renamed.setdefault(list_name, []).append(f"'{name}' -> {code}")
        if code is None:
            message = (
                "this choice has no name: write its code (a whole number, or letters, digits and _)"
                if not name
                else f"choice name '{name}' cannot be a code: use letters, digits and _"
            )
            ctx.error(sheet.loc(row, "name"), message)
            continue
        items = lists.setdefault(list_name, [])
        twin = next((written for o, written in names.get(list_name, []) if o == code), None)
        if twin is not None:
            message = (
                f"choice '{name}' is twice in list '{list_name}'"
                if twin == name
                else f"choices '{twin}' and '{name}' of list '{list_name}' would both be the "
                f"code '{code}': rename one of them"
            )
            ctx.error(sheet.loc(row, "name"), message)
            continue
        names.setdefault(list_name, []).append((code, name))
        ctx.choice_columns[(list_name, code)] = {
            c.base: row.texts.get(c.index, "")
            for c in sheet.columns
            if c.base in ctx.filter_columns and c.suffix is None
        }
        ctx.choice_cells[(list_name, code)] = {
            c.base: sheet.cell_loc(row, c)
            for c in sheet.columns
            if c.base in ctx.filter_columns and c.suffix is None
        }
        option: dict[str, Any] = {"code": code}
        if name != str(code) and column_name(name) is not None:
            option["column"] = name  # the 0/1 column of a select_multiple keeps the name
        label = ctx.texts(sheet, row, "label", "label", required=True)
        if label:
            option["label"] = label
        for key, (value, loc) in surveyapp_columns(ctx, sheet, row, frozenset()).items():
            if key in option:
                ctx.error(loc, f"'{key}' is already set by the XLSForm columns")
            else:
                option[key] = value
        items.append((option, sheet.loc(row, "name")))
    for list_name, pairs in renamed.items():
        message = (
            f"choice names of list '{list_name}' become codes (lower-case letters, digits and "
            f"_); references to them are followed: {', '.join(pairs)}"
        )
        ctx.warn(Location("choices", 1, 0), message)
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
    ids = _list_ids(ctx, lists)
    for path, q, key, ref in refs:
        if ref.name not in lists:
            ctx.error(ref.loc, f"there is no list '{ref.name}' in the choices sheet")
            continue
        own = ref.name in (q["id"], f"{q['id']}{INLINE}")
        other_text = q.pop("_other_text", None) if key == "options" else None
        if other_text and not _has_code(lists[ref.name], other_text[0], ctx):
            code, written, loc = other_text
            message = (
                f"the text question '{written}' is never shown: '{code}' is not a choice of "
                f"'{q['id']}' (ODK never asks it either), so it is left out"
            )
            ctx.warn(loc, message)
            other_text = None
        static = q.pop("_static_filter", None) if key == "options" else None
        cascade = key == "options" and "_cascade" in q
        if cascade:
            filters, _, loc = q["_cascade"]
            q["_cascade"] = (filters, ref.name, loc)
        items = lists[ref.name]
        if static is not None:
            items = _filtered(ctx, ref.name, items, static)
        if ref.or_other or other_text or static or cascade or (own and uses[ref.name] == 1):
            q[key] = _inline(ctx, ref, items, (*path, key))
            if other_text:
                _mark_other(ctx, q, other_text)
        else:
            q[key] = ids.get(ref.name, ref.name)
            named.add(ref.name)
    result = {}
    for name, items in lists.items():
        if (name in named or name not in uses) and name in ids:
            result[ids[name]] = [copy.deepcopy(o) for o, _ in items]
            for i, (_, loc) in enumerate(items):
                ctx.origin(("option_lists", ids[name], i), loc)
    return result


def _list_ids(ctx: Context, lists: dict) -> dict[str, str]:
    """List name -> the id it is written under (`cl-roles` -> `cl_roles`: lists are not data,
    so the new name is only said when two names would become one)."""
    ids: dict[str, str] = {}
    written: dict[str, str] = {}
    for name, items in lists.items():
        new = name if IDENT.match(name) else as_identifier(name)
        loc = Location(items[0][1].sheet, items[0][1].row, 1, "list_name")
        if not new:
            ctx.error(loc, f"list name '{name}' cannot be an id: use letters, digits and _")
        elif written.setdefault(new, name) != name:
            message = f"lists '{written[new]}' and '{name}' would both be '{new}': rename one"
            ctx.error(loc, message)
        else:
            ids[name] = new
    return ids


def _filtered(ctx: Context, list_name: str, items: list, static: tuple) -> list:
    """The choices a fixed choice filter keeps (`pastel=yes`), said in a warning."""
    column, value, loc = static
    kept = [
        (o, where)
        for o, where in items
        if ctx.choice_columns.get((list_name, o["code"]), {}).get(column) == value
    ]
    if not kept:
        ctx.error(loc, f"no choice of list '{list_name}' has {column} = {value}")
        return items
    codes = ", ".join(str(o["code"]) for o, _ in kept)
    ctx.warn(loc, f"the choice filter keeps the choices whose {column} is {value}: {codes}")
    return kept


def _has_code(items: list, code: str, ctx: Context) -> bool:
    wanted = ctx.renamed_codes.get(code, code)
    return any(o["code"] == wanted for o, _ in items)


def _mark_other(ctx: Context, q: dict, other_text: tuple) -> None:
    """The "other, specify" idiom: the option gets `other: true`; the text is `<id>_other`."""
    code, written, loc = other_text
    wanted = ctx.renamed_codes.get(code, code)
    option = next(o for o in q["options"] if o["code"] == wanted)
    option["other"] = True
    column = f"{q.get('column') or q['id']}_other"
    renamed = "" if written == column else f" (the author's name was '{written}')"
    message = (
        f"the text question '{written}' is the 'other, specify' text of '{q['id']}' "
        f"(choice {code}): it is shown with that choice and exported as {column}{renamed}"
    )
    ctx.warn(loc, message)


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
