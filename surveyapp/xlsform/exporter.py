"""Our schema -> an XLSForm workbook that `import_xlsform` reads back to the same schema.

What XLSForm can say is written in its own columns (conditions as XPath `relevant` when they
import back exactly). The rest uses two documented extensions that ODK tools ignore:
`surveyapp_<key>` columns (one YAML value per cell) and the `surveyapp` sheet (the YAML of
parameters, derived variables, endings, quotas and the translated title).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..engine import calc
from .condition_export import exact_xpath
from .conditions import Symbols
from .constraints import constraint_text
from .context import as_identifier
from .languages import language_label
from .symbols import iter_questions, matrix_row_name, symbols_from_schema
from .yamltext import dump_block, dump_cell, safe_load

XLS_TYPE = {
    "single": "select_one",
    "multiple": "select_multiple",
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "email": "text",
    "nps": "integer",
    "consent": "acknowledge",
    "note": "note",
    "date": "date",
}
REFINED = ("email", "nps")
#: Suffix of an inline list's name when a named list already has the question's id.
INLINE = "__inline"
PIPED = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")
HEADER_KEYS = ("id", "version", "languages", "default_language")
#: Keys written in XLSForm columns, per type (the others go to surveyapp_<key> columns).
COMMON = {"id", "type", "text", "help", "required", "when"}
NATIVE = {
    "single": {"options", "options_from", "order", "display"},
    "multiple": {"options", "options_from", "order", "min", "max"},
    "integer": {"min", "max"},
    "decimal": {"min", "max"},
    "text": {"max_length", "multiline", "pattern"},
    "matrix": {"scale", "rows"},
}


class ExportError(ValueError):
    """The schema cannot be written as an XLSForm (the message says why)."""


def _xpath_calc(text: str) -> str:
    """A calculation with its names written ${name}, as XLSForm writes them."""
    try:
        return calc.unparse(calc.parse(text), lambda name: "${" + name + "}")
    except calc.CalcError:
        return "''"


def written_name(q: dict[str, Any]) -> str:
    """The name of a question's row: the author's `column` (`rCSI`) when the import makes it
    the same id again, else the id (and the column goes to a `surveyapp_column` cell)."""
    column = q.get("column")
    if isinstance(column, str) and as_identifier(column) == q.get("id"):
        return column
    return str(q.get("id"))


def inline_list_name(qid: str, named: dict[str, Any]) -> str:
    """The list name of a question's inline options: its id, or `<id>__inline` if taken."""
    for name in (qid, f"{qid}{INLINE}"):
        if name not in named:
            return name
    raise ExportError(f"option lists {qid} and {qid}{INLINE} both exist: rename one")


def _label_key(base: str, lang: str) -> str:
    return f"{base}::{language_label(lang)}"


class _Exporter:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        header = schema.get("survey") or {}
        self.languages: list[str] = list(header.get("languages") or [])
        self.default: str = header.get("default_language") or self.languages[0]
        self.lists: dict[str, Any] = schema.get("option_lists") or {}
        self.symbols: Symbols = symbols_from_schema(schema)
        self.questions = {q["id"]: q for _, q in iter_questions(schema)}
        #: question id -> the name its row is written under, when they differ (`rcsi` -> `rCSI`)
        self.written: dict[str, str] = {}
        for qid, q in self.questions.items():
            written = written_name(q)
            var = self.symbols.by_name.get(qid)
            if written != qid:
                self.written[qid] = written
            if written != qid and var is not None:
                var = replace(var, xpath_name=written)
                self.symbols.by_name[qid] = self.symbols.by_name[written] = var
        self.survey_rows: list[dict[str, Any]] = []
        self.choice_rows: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ cells
    def texts(self, row: dict[str, Any], base: str, value: Any) -> None:
        if isinstance(value, dict):
            for lang in self.languages:
                if value.get(lang) is not None:
                    row[_label_key(base, lang)] = self.piped(str(value[lang]))

    def piped(self, text: str) -> str:
        """A text whose `${id}` placeholders name the rows as written (`${rCSI}`)."""
        if not self.written:
            return text
        return PIPED.sub(lambda m: "${" + self.written.get(m.group(1), m.group(1)) + "}", text)

    def condition(self, row: dict[str, Any], cond: Any) -> None:
        if cond is None:
            return
        text = exact_xpath(cond, self.symbols) if isinstance(cond, dict) else None
        if text is not None:
            row["relevant"] = text
        else:
            row["surveyapp_when"] = dump_cell(cond)

    def extras(self, row: dict[str, Any], item: dict[str, Any], handled: set[str]) -> None:
        for key, value in item.items():
            if key not in handled:
                row[f"surveyapp_{key}"] = dump_cell(value)

    # ------------------------------------------------------------------ choices
    def list_name(self, q: dict[str, Any], key: str = "options") -> str:
        options = q.get(key)
        if isinstance(options, str):
            return options
        if isinstance(options, list):
            return inline_list_name(q["id"], self.lists)
        source = self.questions.get(q.get("options_from"))
        if source is not None and source is not q:
            return self.list_name(source)
        raise ExportError(f"question {q['id']} has no options")

    def choices(self, name: str, options: list[Any]) -> None:
        for option in options:
            code = str(option.get("code"))
            column = option.get("column")
            written = column if isinstance(column, str) and as_identifier(column) == code else code
            row: dict[str, Any] = {"list_name": name, "name": written}
            self.texts(row, "label", option.get("label"))
            self.extras(row, option, {"code", "label"} | ({"column"} if written != code else set()))
            self.choice_rows.append(row)

    # ------------------------------------------------------------------ survey
    def run(self) -> None:
        for name, options in self.lists.items():
            self.choices(name, options or [])
        for page in self.schema.get("pages") or []:
            group = {"type": "begin group", "name": page["id"], "appearance": "field-list"}
            self.condition(group, page.get("when"))
            self.extras(group, page, {"id", "when", "questions"})
            self.survey_rows.append(group)
            for q in page.get("questions") or []:
                if q.get("type") == "matrix":
                    self.matrix(q)
                else:
                    self.question(q)
            self.survey_rows.append({"type": "end group"})
        self.piped_derived()

    def piped_derived(self) -> None:
        """A `calculate` row for each derived variable piped into a text (`${id}`), so that
        pyxform resolves the reference; the definition itself stays in the surveyapp sheet
        (the importer skips these rows). The calculation gives the code where each case's
        condition has an exact XPath, else ''."""
        piped = set(PIPED.findall(dump_block({"pages": self.schema.get("pages") or []})))
        for d in self.schema.get("derived") or []:
            if d.get("id") in piped and isinstance(d.get("calc"), str):
                self.survey_rows.append(
                    {"type": "calculate", "name": d["id"], "calculation": _xpath_calc(d["calc"])}
                )
            if d.get("id") not in piped or "cases" not in d:
                continue
            calculation = "''"
            for case in reversed(d["cases"]):
                when = case.get("when")
                test = exact_xpath(when, self.symbols) if isinstance(when, dict) else None
                if "value" not in case or (when is not None and test is None):
                    calculation = "''"
                    break
                value = f"'{case['value']}'"
                calculation = value if when is None else f"if({test}, {value}, {calculation})"
            self.survey_rows.append(
                {"type": "calculate", "name": d["id"], "calculation": calculation}
            )

    def question(self, q: dict[str, Any]) -> None:
        qtype = q.get("type")
        if qtype not in XLS_TYPE:
            raise ExportError(f"question {q.get('id')}: type {qtype!r} has no XLSForm form")
        xls_type = XLS_TYPE[qtype]
        handled = COMMON | NATIVE.get(qtype, set())
        if qtype in ("single", "multiple"):
            xls_type += f" {self.list_name(q)}"
            if isinstance(q.get("options"), list):
                self.choices(self.list_name(q), q["options"])
        row: dict[str, Any] = {"type": xls_type, "name": written_name(q)}
        if row["name"] != q["id"]:
            handled = handled | {"column"}
        self.texts(row, "label", q.get("text"))
        self.texts(row, "hint", q.get("help"))
        if qtype != "note":
            default = qtype not in ("text", "email")
            row["required"] = "yes" if q.get("required", default) else "no"
        self.condition(row, q.get("when"))
        constraint = constraint_text(q)
        if constraint:
            row["constraint"] = constraint
        appearance = []
        if q.get("display") == "dropdown":
            appearance.append("minimal")
        else:
            handled = handled - {"display"}
        if q.get("multiline") is True:
            appearance.append("multiline")
        else:
            handled = handled - {"multiline"}
        if appearance:
            row["appearance"] = " ".join(appearance)
        if q.get("options_from") is not None:
            source = self.questions.get(q["options_from"], {"id": q["options_from"]})
            row["choice_filter"] = f"selected(${{{written_name(source)}}}, name)"
        if q.get("order") == "random":
            row["parameters"] = "randomize=true"
        elif "order" in q:
            handled = handled - {"order"}
        if qtype in REFINED:
            row["surveyapp_type"] = qtype
        self.extras(row, q, handled)
        self.survey_rows.append(row)

    def matrix(self, q: dict[str, Any]) -> None:
        scale = self.list_name(q, "scale")
        if isinstance(q.get("scale"), list):
            self.choices(scale, q["scale"])
        group: dict[str, Any] = {"type": "begin group", "name": q["id"]}
        self.texts(group, "label", q.get("text"))
        self.texts(group, "hint", q.get("help"))
        group["appearance"] = "table-list"
        self.condition(group, q.get("when"))
        self.extras(group, q, COMMON | NATIVE["matrix"])
        self.survey_rows.append(group)
        required = "yes" if q.get("required", True) else "no"
        for item in q.get("rows") or []:
            if set(item) - {"code", "text", "when"}:
                raise ExportError(f"matrix {q['id']}: a row has keys XLSForm cannot hold")
            name = matrix_row_name(q["id"], item["code"])
            row: dict[str, Any] = {"type": f"select_one {scale}", "name": name}
            self.texts(row, "label", item.get("text"))
            row["required"] = required
            self.condition(row, item.get("when"))
            self.survey_rows.append(row)
        self.survey_rows.append({"type": "end group"})

    # ------------------------------------------------------------------ settings
    def settings(self) -> dict[str, Any]:
        header = self.schema.get("survey") or {}
        title = header.get("title")
        form_title = title.get(self.default) if isinstance(title, dict) else title
        return {
            "form_title": form_title,
            "form_id": header.get("id"),
            "version": str(header.get("version", "")),
            "default_language": language_label(self.default),
            "style": "pages",
        }

    def surveyapp_sheet(self) -> str:
        extra: dict[str, Any] = {}
        header = self.schema.get("survey") or {}
        more = {k: v for k, v in header.items() if k not in HEADER_KEYS}
        if len(self.languages) == 1 and "title" in more:
            del more["title"]
        if more:
            extra["survey"] = more
        for key, value in self.schema.items():
            if key not in ("schema_version", "survey", "option_lists", "pages"):
                extra[key] = value
        return dump_block(extra) if extra else ""


def schema_to_sheets(text: str) -> dict[str, list[list[Any]]]:
    """The sheets of the XLSForm of a schema: name -> rows (row 0 is the header)."""
    from surveyapp.engine import load_survey

    load_survey(text, "<export>")  # only a valid schema is exported (raises SchemaError)
    schema = safe_load(text)
    if schema.get("schema_version", 1) != 1:
        raise ExportError("only schema_version 1 can be exported")
    exporter = _Exporter(schema)
    exporter.run()
    names = [r["name"] for r in exporter.survey_rows if r.get("name")]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ExportError(f"these names would be used twice in the survey sheet: {twice}")
    langs = exporter.languages
    survey_cols = ["type", "name", *[_label_key("label", lang) for lang in langs]]
    survey_cols += [_label_key("hint", lang) for lang in langs]
    survey_cols += ["required", "relevant", "constraint", "appearance", "choice_filter"]
    survey_cols += ["parameters"]
    choice_cols = ["list_name", "name", *[_label_key("label", lang) for lang in langs]]
    sheets = {
        "survey": _table(exporter.survey_rows, survey_cols, keep=2 + len(langs)),
        "choices": _table(exporter.choice_rows, choice_cols, keep=len(choice_cols)),
    }
    settings = exporter.settings()
    sheets["settings"] = [list(settings), list(settings.values())]
    text_extra = exporter.surveyapp_sheet()
    if text_extra:
        sheets["surveyapp"] = [["yaml"], *[[line] for line in text_extra.splitlines()]]
    return sheets


def _table(rows: list[dict[str, Any]], standard: list[str], keep: int) -> list[list[Any]]:
    """Rows as a table: the standard columns that are used, then the surveyapp_ ones."""
    used = {key for row in rows for key in row}
    columns = [c for i, c in enumerate(standard) if i < keep or c in used]
    columns += sorted(
        {k for k in used if k not in columns},
        key=lambda k: (k != "surveyapp_when", k != "surveyapp_type", k),
    )
    return [columns, *[[row.get(c) for c in columns] for row in rows]]


def export_xlsform(text: str, path: str | Path) -> None:
    """Write the XLSForm of a schema (YAML text) to an .xlsx file."""
    from .writer import write_workbook

    write_workbook(schema_to_sheets(text), path)
