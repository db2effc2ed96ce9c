"""XLSForm workbook -> our schema (dict and YAML text), refused with located problems.

The steps: settings and languages, the survey sheet (pages and questions), the choices sheet,
the surveyapp sheet (what XLSForm cannot say), then conditions (which need every name), the
YAML text, and last the linter, whose messages are moved back onto the workbook cells.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import authoring, cascade
from .calculations import type_calculations
from .choices_sheet import questions_with_paths, read_choices, resolve_options
from .conditions import Translator
from .context import Context
from .languages import THANKS, language_code, language_label
from .problems import Location, XlsformError, XlsProblem
from .reader import Sheet, read_workbook
from .relocate import relocate
from .survey_sheet import Pending, SurveySheet
from .surveyapp_sheet import read_surveyapp_sheet
from .symbols import iter_questions, symbols_from_schema
from .xpath import XPathError
from .yamltext import dump_schema, load_cell

SLUG = re.compile(r"[a-z][a-z0-9_-]*\Z")
TEXT_BASES = ("label", "hint")  # the translated columns that are read (others are dropped)
SETTINGS = ("form_id", "version", "form_title", "default_language", "style")
QUESTION_ORDER = (
    "id", "column", "type", "text", "help", "required", "when", "options", "scale", "rows",
    "display", "order", "row_order", "options_from", "autocode_single", "min", "max", "decimals",
    "max_length", "pattern", "multiline",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The imported schema as YAML text and as a dict, and what the import left out."""

    text: str
    schema: dict[str, Any]
    warnings: tuple[XlsProblem, ...]


def import_xlsform(
    path: str | Path, *, language: str | None = None, lint: bool = True
) -> ImportResult:
    """Convert an XLSForm workbook; raises XlsformError (located problems) when it cannot."""
    book = read_workbook(path)
    ctx = Context(book, problems=list(book.problems), warnings=list(book.warnings))
    schema = convert(ctx, language) if not ctx.problems else {}
    if ctx.problems:
        raise XlsformError(book.source, ctx.problems)
    header = f"# Imported from the XLSForm {Path(path).name} by `surveyapp survey import`.\n"
    text = dump_schema(schema, header)
    if lint:
        warnings = relocate(text, book.source, ctx)
        ctx.warnings.extend(warnings)
    return ImportResult(text, schema, tuple(dict.fromkeys(ctx.warnings)))


def convert(ctx: Context, language: str | None = None) -> dict[str, Any]:
    """The schema dict of a workbook (problems and warnings go to the context)."""
    sheets = ctx.book.sheets
    if "survey" not in sheets:
        ctx.error(Location("workbook"), "there is no survey sheet: is this an XLSForm?")
        return {}
    settings = _settings(ctx, sheets.get("settings"))
    _languages(ctx, settings, language)
    if ctx.problems:
        return {}
    extra = read_surveyapp_sheet(ctx, sheets.get("surveyapp"))
    survey_sheet = SurveySheet(ctx, sheets["survey"])
    declared = extra.get("derived") if isinstance(extra.get("derived"), list) else []
    survey_sheet.declared = {
        d["id"] for d in declared or () if isinstance(d, dict) and isinstance(d.get("id"), str)
    }
    survey_sheet.read()
    lists = read_choices(ctx, sheets.get("choices"))
    schema: dict[str, Any] = {"schema_version": 1, "survey": _header(ctx, settings, extra)}
    if "parameters" in extra:
        schema["parameters"] = extra.pop("parameters")
    schema["option_lists"] = {}
    schema["pages"] = survey_sheet.pages
    schema["option_lists"] = resolve_options(ctx, survey_sheet.pages, lists)
    cascade.attach(ctx, survey_sheet.pages, survey_sheet.pending)
    if not schema["option_lists"]:
        del schema["option_lists"]
    derived = extra.pop("derived", None) or []
    if not isinstance(derived, list):
        where = ctx.origins.get(("derived",), Location("surveyapp"))
        ctx.error(where, "derived is a list of derived variables (- id: …)")
        derived = []
    for item in survey_sheet.derived:
        ctx.origin(("derived", len(derived)), ctx.origins[("derived-calc", item["id"])])
        derived.append(item)
    if derived:
        schema["derived"] = derived
        type_calculations(ctx, schema, survey_sheet.calcs)
    schema["endings"] = extra.pop("endings", None) or _default_ending(ctx, survey_sheet.pages)
    schema.update(extra)
    symbols = symbols_from_schema(schema, survey_sheet.row_names)
    for written, qid in ctx.renamed.items():
        if qid in symbols.by_name and written not in symbols.by_name:
            symbols.by_name[written] = symbols.by_name[qid]
    symbols.code_aliases.update(ctx.renamed_codes)
    refused = survey_sheet.names - set(symbols.by_name)
    for pending in survey_sheet.pending:
        _condition(ctx, pending, Translator(symbols), refused)
    for _, question in iter_questions(schema):
        _reorder(question, QUESTION_ORDER)
    for page in schema["pages"]:
        _reorder(page, ("id", "when", "checks", "questions"))
    authoring.follow_piped_names(ctx, schema)
    return schema


# ---------------------------------------------------------------------- settings
def _settings(ctx: Context, sheet: Sheet | None) -> dict[str, tuple[str, Location]]:
    found: dict[str, tuple[str, Location]] = {}
    if sheet is None or not sheet.rows:
        return found
    row = sheet.rows[0]
    if len(sheet.rows) > 1:
        ctx.warn(sheet.loc(sheet.rows[1]), "only the first row of settings is read")
    for column in sheet.columns:
        text = row.texts.get(column.index, "")
        if not text:
            continue
        loc = sheet.cell_loc(row, column)
        if column.base in SETTINGS and column.suffix is None:
            found[column.base] = (text, loc)
        else:
            ctx.warn(loc, f"setting '{column.header}' ignored")
    style = found.get("style")
    if style and style[0].lower() not in ("pages", "theme-grid pages"):
        ctx.warn(style[1], "style ignored: every page is shown on its own")
    return found


def _languages(ctx: Context, settings: dict, cli_language: str | None) -> None:
    default = None
    if "default_language" in settings:
        text, loc = settings["default_language"]
        default = language_code(text)
        if default is None:
            ctx.error(loc, f"cannot tell the language code of '{text}': write e.g. French (fr)")
    if cli_language:
        code = language_code(cli_language)
        if code is None:
            ctx.error(Location("workbook"), f"--language {cli_language}: not a language code")
        elif default and code != default:
            message = f"default_language is {default} here but --language says {code}"
            ctx.error(settings["default_language"][1], message)
        default = default or code
    found: list[str] = []
    unsaid: list[Location] = []
    for key in ("survey", "choices"):
        sheet = ctx.book.sheets.get(key)
        if not sheet:
            continue
        for column in sheet.columns:
            if column.base not in TEXT_BASES:
                continue
            loc = Location(key, 1, column.index, column.header)
            code = language_code(column.suffix) if column.suffix else default
            if code is None and column.suffix is None:
                unsaid.append(loc)
                continue
            if code is None:
                message = (
                    f"cannot tell the language of '{column.header}': write e.g. label::French (fr)"
                )
                ctx.error(loc, message)
                continue
            same = [c for c in sheet.with_base(column.base) if c is not column]
            if any(ctx.lang_of.get(c.suffix, "") == code for c in same if c.index < column.index):
                ctx.error(loc, f"a second {column.base} column for {language_label(code)}")
            ctx.lang_of[column.suffix] = code
            if code not in found:
                found.append(code)
    ctx.languages = found
    if unsaid:
        headers = sorted({loc.header for loc in unsaid})
        message = (
            f"which language are the columns {', '.join(headers)} written in? Say it with "
            "default_language in the settings sheet (e.g. English (en)) or with --language "
            "(e.g. --language en)"
        )
        ctx.error(unsaid[0], message)
    elif not found:
        ctx.error(Location("survey", 1), "there is no label column")
    elif default is None and len(found) > 1:
        where = Location("settings", 1)
        ctx.error(
            where, "several languages: set default_language in the settings sheet, e.g. French (fr)"
        )
    elif default is not None and default not in found:
        loc = (
            settings["default_language"][1]
            if "default_language" in settings
            else Location("workbook")
        )
        ctx.error(loc, f"default_language {default} has no label column")
    ctx.default = default or (found[0] if found else "")


def _header(ctx: Context, settings: dict, extra: dict[str, Any]) -> dict[str, Any]:
    survey: dict[str, Any] = {}
    more = extra.pop("survey", None) or {}
    stem = Path(ctx.book.source).stem
    form_id = settings.get("form_id")
    if form_id is None:
        slug = file_slug(stem)
        form_id = (slug, Location("settings"))
        ctx.warn(Location("settings"), f"no form_id: the survey id is '{slug}', from the file name")
    elif not SLUG.match(form_id[0]) and SLUG.match(form_id[0].lower()):
        lowered = form_id[0].lower()
        message = f"form_id '{form_id[0]}' has capitals: the survey id is '{lowered}'"
        ctx.warn(form_id[1], message)
        form_id = (lowered, form_id[1])
    elif not SLUG.match(form_id[0]):
        suggestion = file_slug(form_id[0])
        message = f"form_id '{form_id[0]}' cannot be a survey id (lower-case letters, digits, _, -)"
        ctx.error(form_id[1], message + (f"; e.g. {suggestion}" if SLUG.match(suggestion) else ""))
    version = settings.get("version")
    if version is None:
        stamp = ctx.book.modified or dt.datetime.now(dt.UTC)
        version = (stamp.strftime("%Y-%m-%d"), Location("settings"))
        message = f"no version: the version is {version[0]}, the date the file was saved"
        ctx.warn(Location("settings"), message)
    survey["id"] = form_id[0]
    survey["version"] = version[0]
    survey["languages"] = list(ctx.languages)
    survey["default_language"] = ctx.default
    title = more.pop("title", None)
    form_title = settings.get("form_title")
    if title is None and form_title is None:
        form_title = (stem, Location("settings"))
        ctx.warn(Location("settings"), f"no form_title: the title is '{stem}', the file name")
    if title is None and form_title is not None:
        title = {lang: form_title[0] for lang in ctx.languages}
        if len(ctx.languages) > 1 and form_title[0] != stem:
            message = (
                "form_title is used in every language: to translate it, write "
                "survey: {title: {fr: ..., en: ...}} in the surveyapp sheet"
            )
            ctx.warn(form_title[1], message)
    elif (
        form_title is not None
        and isinstance(title, dict)
        and title.get(ctx.default) != form_title[0]
    ):
        message = "form_title differs from survey.title in the surveyapp sheet: make them agree"
        ctx.error(form_title[1], message)
    survey["title"] = title
    survey.update(more)
    ctx.origin(("survey", "id"), form_id[1])
    ctx.origin(("survey", "version"), version[1])
    return survey


def file_slug(text: str) -> str:
    """A survey id from a file name or a form_id: `02_Or Other` -> `or_other`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_-]+", "-", ascii_text.lower())
    slug = re.sub(r"^[^a-z]+", "", slug).strip("-_")
    return slug or "form"


def _default_ending(ctx: Context, pages: list) -> list[dict[str, Any]]:
    missing = [lang for lang in ctx.languages if lang not in THANKS]
    if missing:
        message = (
            f"no built-in thank-you message in {', '.join(missing)}: add an endings section to "
            "the surveyapp sheet (see docs/xlsform.md)"
        )
        ctx.error(Location("workbook"), message)
        return []
    used = {p["id"] for p in pages} | {q["id"] for _, q in questions_with_paths(pages)}
    ending_id = next(e for e in ("end_complete", "end_thanks", "end_default") if e not in used)
    ctx.warn(
        Location("workbook"),
        f"no endings in a surveyapp sheet: the ending '{ending_id}' (status complete) thanks the "
        "respondent",
    )
    thanks = {lang: THANKS[lang] for lang in ctx.languages}
    return [{"id": ending_id, "status": "complete", "default": True, "message": thanks}]


# ---------------------------------------------------------------------- conditions
def _condition(ctx: Context, pending: Pending, translator: Translator, refused: set[str]) -> None:
    found: list[tuple[Any, Location]] = []
    for kind, value, loc in pending.parts:
        if kind == "yaml":
            try:
                found.append((load_cell(value), loc))
            except Exception as exc:  # noqa: BLE001 (any YAML error is reported on the cell)
                ctx.error(loc, f"not a valid YAML condition ({exc})")
            continue
        translator.refs.clear()
        translator.mapped.clear()
        try:
            cond = translator.translate(value)
        except XPathError as exc:
            if not any(exc.message.startswith(f"no question named '{n}'") for n in refused):
                ctx.error(loc, exc.message, exc.pos + 1)  # (refused rows are reported already)
            continue
        if translator.mapped:
            ctx.warn(loc, "; ".join(translator.mapped))
        for var, pos in translator.refs:
            later = var.page > pending.page if pending.same_page else var.page >= pending.page
            if var.source in ("question", "row") and later:
                where = "on the same page" if var.page == pending.page else "asked later"
                message = (
                    f"${{{var.xpath_name}}} is {where}: conditions are checked when a page is "
                    "submitted, so they can only use answers from earlier pages (move the "
                    "question to an earlier group, or split this field-list group)"
                )
                if pending.order_loc is None:
                    ctx.error(loc, message, pos + 1)
                elif XlsProblem(pending.order_loc, message) not in ctx.problems:
                    ctx.error(pending.order_loc, message)
        found.append((cond, loc))
    if not found:
        return
    if len(found) == 1:
        pending.target[pending.key] = found[0][0]
    else:
        pending.target[pending.key] = {"all": [c for c, _ in found]}
        for i, (_, loc) in enumerate(found):
            ctx.origin((*pending.path, "all", i), loc)
    ctx.origin(pending.path, found[-1][1])


def _reorder(item: dict[str, Any], order: tuple[str, ...]) -> None:
    keys = sorted(item, key=lambda k: order.index(k) if k in order else len(order))
    items = [(k, item.pop(k)) for k in keys]
    item.update(items)
