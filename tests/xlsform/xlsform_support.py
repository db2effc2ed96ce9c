"""Helpers for the XLSForm tests: workbooks written with openpyxl, and respondents."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openpyxl

from surveyapp.engine import flow

EN = "label::English (en)"
FR = "label::Français (fr)"
HINT_EN = "hint::English (en)"
HINT_FR = "hint::Français (fr)"

SETTINGS_EN = {"form_id": "test-form", "version": "1", "form_title": "Test"}

#: The feature form in three spellings: label columns, hint columns, settings.
FORMS = {
    # English columns named with a code
    "en": ({"en": EN}, {"en": HINT_EN}, {**SETTINGS_EN}),
    # French in unsuffixed columns, the language given by default_language
    "fr": ({"fr": "label"}, {"fr": "hint"}, {**SETTINGS_EN, "default_language": "French (fr)"}),
    # both languages, French first and by default
    "fr+en": (
        {"fr": FR, "en": EN},
        {"fr": HINT_FR, "en": HINT_EN},
        {**SETTINGS_EN, "default_language": "Français (fr)"},
    ),
}


def write_xlsform(
    path: Path,
    survey: list[dict[str, Any]],
    choices: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
    surveyapp: str | None = None,
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> Path:
    """An .xlsx with the given rows (dicts: header -> value; headers in first-seen order)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    _table(book.create_sheet("survey"), survey)
    if choices is not None:
        _table(book.create_sheet("choices"), choices)
    if settings is not None:
        _table(book.create_sheet("settings"), [settings])
    if surveyapp is not None:
        ws = book.create_sheet("surveyapp")
        ws.append(["yaml"])
        for line in surveyapp.strip("\n").splitlines():
            ws.append([line or None])
    for name, rows in (extra_sheets or {}).items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def _table(ws, rows: list[dict[str, Any]]) -> None:
    headers: list[str] = []
    for row in rows:
        headers += [k for k in row if k not in headers]
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a text, as typed with a leading ' in Excel


def column_of(path: Path, sheet: str, header: str) -> int:
    """The 1-based column index of a header in a sheet of a workbook."""
    ws = openpyxl.load_workbook(path)[sheet]
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise AssertionError(f"no column {header} in {sheet}")


# --------------------------------------------------------------------------- respondents
def random_form(view, rng: random.Random) -> dict[str, list[str]]:
    """A valid POST body for a rendered page, with random answers."""
    form: dict[str, list[str]] = {}
    for qv in view.questions:
        q, kind = qv.question, qv.question.kind
        if q.type in ("note",):
            continue
        picked: list = []
        if q.type == "single":
            picked = [rng.choice(qv.options)]
            form[q.id] = [picked[0].code]
        elif q.type == "multiple":
            exclusive = [o for o in qv.options if o.exclusive]
            others = [o for o in qv.options if not o.exclusive]
            low = max(getattr(kind, "min", None) or 1, 1)
            high = min(getattr(kind, "max", None) or len(others), len(others))
            if exclusive and (rng.random() < 0.2 or high < low):
                picked = [rng.choice(exclusive)]
            else:
                picked = rng.sample(others, rng.randint(low, high))
            form[q.id] = [o.code for o in picked]
        elif q.type == "matrix":
            for row in qv.rows:
                form[f"{q.id}.{row.code}"] = [rng.choice(qv.options).code]
        elif q.type in ("integer", "decimal"):
            low = kind.min if kind.min is not None else 0
            high = kind.max if kind.max is not None else low + 100
            form[q.id] = [str(rng.randint(int(low), int(high)))]
        elif q.type == "nps":
            form[q.id] = [str(rng.randint(0, 10))]
        elif q.type == "text":
            form[q.id] = ["texte libre"]
        elif q.type == "email":
            form[q.id] = ["nom@example.fr"]
        elif q.type == "consent":
            form[q.id] = ["1"]
        if any(getattr(o, "other", False) for o in picked):
            form[f"{q.id}_other"] = ["autre chose"]
    return form


def describe_step(step) -> tuple[str, str]:
    """('page', id) or ('ending', id)."""
    if isinstance(step, flow.EndingReached):
        return "ending", step.ending.id
    return "page", step.page_id


def random_route(survey, seed: int, full_cells=frozenset(), lang: str = "fr") -> list[Any]:
    """A random respondent's route: every page view, posted form, answers and next step."""
    rng = random.Random(seed)
    answers: dict[str, Any] = {}
    trace: list[Any] = []
    page_id = flow.first_page(survey, answers)
    for _ in range(60):
        view = flow.render_page(survey, page_id, answers, f"seed-{seed}", lang)
        form = random_form(view, rng)
        result = flow.validate_page(survey, page_id, form, answers, f"seed-{seed}")
        assert not result.errors, (page_id, form, result.errors)
        answers = flow.apply_page(survey, page_id, result.values, answers, f"seed-{seed}")
        step = flow.next_step(survey, page_id, answers, full_cells=frozenset(full_cells))
        shown = [
            (qv.id, [o.code for o in qv.options], [r.code for r in qv.rows])
            for qv in view.questions
        ]
        trace.append((page_id, shown, dict(answers), describe_step(step)))
        kind, ident = describe_step(step)
        if kind == "ending":
            trace.append(("derived", flow.derived_values(survey, answers)))
            return trace
        page_id = ident
    raise AssertionError("no ending after 60 pages")


# --------------------------------------------------------------------------- feature forms
TEXTS = {
    "en": {
        "intro": "Welcome! This survey takes 5 minutes.",
        "consent": "I agree to take part.",
        "country": "Where do you live?",
        "country_hint": "Your main residence.",
        "age": "How old are you?",
        "brands": "Which brands do you know?",
        "spend": "How much did you spend last month (EUR)?",
        "fav": "Which one do you prefer?",
        "why": "Why do you like Acme?",
        "sat": "How satisfied are you with…",
        "price": "the price",
        "quality": "the quality",
        "bye": "Thank you, ${fav} fan!",
        "fr": "France",
        "be": "Belgium",
        "elsewhere": "Elsewhere",
        "scale": ["Very unhappy", "Unhappy", "Neutral", "Happy", "Very happy"],
        "count": "Number of brands known",
    },
    "fr": {
        "intro": "Bienvenue ! Ce questionnaire dure 5 minutes.",
        "consent": "J'accepte de participer.",
        "country": "Où habitez-vous ?",
        "country_hint": "Votre résidence principale.",
        "age": "Quel âge avez-vous ?",
        "brands": "Quelles marques connaissez-vous ?",
        "spend": "Combien avez-vous dépensé le mois dernier (EUR) ?",
        "fav": "Laquelle préférez-vous ?",
        "why": "Pourquoi aimez-vous Acme ?",
        "sat": "Êtes-vous satisfait·e…",
        "price": "du prix",
        "quality": "de la qualité",
        "bye": "Merci, fan de ${fav} !",
        "fr": "France",
        "be": "Belgique",
        "elsewhere": "Ailleurs",
        "scale": ["Très mécontent", "Mécontent", "Neutre", "Content", "Très content"],
        "count": "Nombre de marques connues",
    },
}


def feature_rows(columns: dict[str, str], hints: dict[str, str]):
    """Survey and choices rows covering every mapped feature; columns: lang -> label header."""

    def label(key: str, base: dict[str, str] = columns) -> dict[str, Any]:
        return {header: TEXTS[lang][key] for lang, header in base.items()}

    survey = [
        {"type": "note", "name": "intro", **label("intro")},
        {"type": "acknowledge", "name": "consent", **label("consent"), "required": "yes"},
        {"type": "begin group", "name": "screen", "appearance": "field-list"},
        {
            "type": "select_one countries",
            "name": "country",
            **label("country"),
            **label("country_hint", hints),
            "required": "yes",
        },
        {
            "type": "integer",
            "name": "age",
            **label("age"),
            "required": "yes",
            "constraint": ". >= 16 and . <= 99",
            "constraint_message": "16-99",
        },
        {"type": "end group"},
        {
            "type": "begin group",
            "name": "habits",
            "appearance": "field-list",
            "relevant": "${age} >= 18 and ${country} != 'elsewhere'",
        },
        {
            "type": "select_multiple brands or_other",
            "name": "brands",
            **label("brands"),
            "required": "yes",
            "constraint": "count-selected(.) <= 3",
            "parameters": "randomize=true",
        },
        {
            "type": "decimal",
            "name": "spend",
            **label("spend"),
            "constraint": ". >= 0",
        },
        {"type": "end group"},
        {
            "type": "select_one brands",
            "name": "fav",
            **label("fav"),
            "required": "yes",
            "relevant": "count-selected(${brands}) >= 2",
            "choice_filter": "selected(${brands}, name)",
            "appearance": "minimal",
        },
        {"type": "begin group", "name": "acme_fans", "relevant": "selected(${brands}, 'acme')"},
        {
            "type": "text",
            "name": "why",
            **label("why"),
            "appearance": "multiline",
            "constraint": "string-length(.) <= 200",
        },
        {"type": "end group"},
        {"type": "begin group", "name": "opinion", "appearance": "field-list"},
        {"type": "begin group", "name": "sat", **label("sat"), "appearance": "table-list"},
        {"type": "select_one scale", "name": "sat_price", **label("price"), "required": "yes"},
        {
            "type": "select_one scale",
            "name": "sat_quality",
            **label("quality"),
            "required": "yes",
            "relevant": "${country} = 'fr'",
        },
        {"type": "end group"},
        {"type": "end group"},
        {
            "type": "calculate",
            "name": "n_brands",
            "calculation": "count-selected(${brands})",
            **label("count"),
        },
        {"type": "note", "name": "bye", **label("bye"), "relevant": "${n_brands} >= 2"},
    ]
    choices = [
        {"list_name": "countries", "name": code, **label(code)}
        for code in ("fr", "be", "elsewhere")
    ]
    choices += [
        {"list_name": "brands", "name": b, **{h: b.title() for h in columns.values()}}
        for b in ("acme", "globex", "initech")
    ]
    choices += [
        {
            "list_name": "scale",
            "name": i + 1,
            **{h: TEXTS[lang]["scale"][i] for lang, h in columns.items()},
        }
        for i in range(5)
    ]
    return survey, choices


def save_cached_values(path: Path, sheet_index: int, values: dict[str, str]) -> None:
    """Give formula cells the value a spreadsheet application would have saved with them
    (openpyxl writes formulas without one): {"C2": "text"}."""
    import re
    import shutil
    import zipfile

    member = f"xl/worksheets/sheet{sheet_index}.xml"
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                xml = data.decode()
                for ref, value in values.items():
                    pattern = rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>'
                    replacement = rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v>'
                    xml, count = re.subn(pattern, replacement, xml)
                    assert count == 1, f"no formula cell {ref}"
                data = xml.encode()
            dst.writestr(info, data)
    shutil.move(tmp, path)
