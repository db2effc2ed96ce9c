"""Round trips: XLSForm -> schema -> XLSForm -> same schema; the barometer schema -> XLSForm ->
a schema that passes the linter and routes every respondent exactly as the original."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from surveyapp.engine import load_survey
from surveyapp.engine.lint import lint_text
from surveyapp.xlsform import import_xlsform
from surveyapp.xlsform.exporter import export_xlsform, schema_to_sheets
from tests.xlsform.xlsform_support import (
    EN,
    FORMS,
    FR,
    SETTINGS_EN,
    feature_rows,
    random_route,
    write_xlsform,
)

BAROMETER = Path(__file__).resolve().parents[2] / "surveyapp" / "surveys" / "barometre-2015.yaml"

EXTENDED = """\
survey:
  title: {fr: "Enquête marques", en: "Brand survey"}
  introduction: {fr: "Merci d'avance.", en: "Thanks in advance."}
parameters:
  - {id: src, options: sources, default: 9}
derived:
  - id: adult
    label: {fr: "Adulte", en: "Adult"}
    type: single
    options: flag01
    cases:
      - {value: 1, when: {q: age, gte: 18}}
      - {value: 0, when: {q: age, answered: true}}
endings:
  - id: minor
    status: screened_out
    check_after: screen
    when: {q: adult, eq: 0}
    message: {fr: "Merci, ce questionnaire est réservé aux adultes.", en: "Thanks: adults only."}
  - id: full
    status: quota_full
    message: {fr: "Merci, c'est complet.", en: "Thanks, we have enough answers."}
  - id: done
    status: complete
    default: true
    message: {fr: "Merci !", en: "Thank you!"}
quotas:
  - id: by_lang
    kind: hard
    label: {fr: "Par langue", en: "By language"}
    by: [lang]
    targets: {1: 10, 2: 10}
    check_after: screen
    ending: full
"""


def _extended_rows():
    """Both languages, and what only the surveyapp extensions can say."""
    texts = {"fr": FR, "en": EN}

    def label(fr: str, en: str) -> dict:
        return {FR: fr, EN: en}

    survey = [
        {"type": "begin group", "name": "screen", "appearance": "field-list"},
        {"type": "select_one langs", "name": "lang", **label("Langue ?", "Language?"),
         "required": "yes", "surveyapp_sets_language": "{1: fr, 2: en}"},
        {"type": "integer", "name": "age", **label("Âge ?", "Age?"), "required": "yes"},
        {"type": "end group"},
        {"type": "begin group", "name": "more", "appearance": "field-list",
         "surveyapp_when": "{q: src, eq: 1}"},
        {"type": "select_multiple tools", "name": "tools", **label("Outils ?", "Tools?"),
         "required": "yes"},
        {"type": "integer", "name": "nps", **label("Recommanderiez-vous ?", "Recommend?"),
         "required": "yes", "surveyapp_type": "nps", "constraint": ". >= 0 and . <= 10",
         "surveyapp_anchors": "{low: {fr: Jamais, en: Never}, high: {fr: Toujours, en: Always}}"},
        {"type": "text", "name": "mail", **label("E-mail ?", "E-mail?"),
         "surveyapp_type": "email", "surveyapp_contact": "{with: [tools]}"},
        {"type": "text", "name": "note_free", **label("Remarque ?", "Remark?"),
         "surveyapp_personal": "true", "surveyapp_when": "{q: adult, eq: 1}"},
        {"type": "end group"},
    ]  # fmt: skip
    choices = [
        {"list_name": "langs", "name": 1, **label("Français", "French")},
        {"list_name": "langs", "name": 2, **label("Anglais", "English")},
        {"list_name": "tools", "name": "crm", **label("CRM", "CRM")},
        {"list_name": "tools", "name": "mail", **label("E-mail", "E-mail"),
         "surveyapp_when": "{q: age, lt: 60}"},
        {"list_name": "tools", "name": "none", **label("Aucun", "None"),
         "surveyapp_exclusive": "true"},
        {"list_name": "sources", "name": 1, **label("Panel", "Panel")},
        {"list_name": "sources", "name": 9, **label("Autre", "Other")},
        {"list_name": "flag01", "name": 0, **label("Non", "No")},
        {"list_name": "flag01", "name": 1, **label("Oui", "Yes")},
    ]  # fmt: skip
    assert texts
    return survey, choices


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    survey, choices = _extended_rows()
    path = tmp_path_factory.mktemp("xls") / "extended.xlsx"
    settings = {**SETTINGS_EN, "form_title": "Enquête marques", "default_language": "fr"}
    write_xlsform(path, survey, choices, settings, EXTENDED)
    return import_xlsform(path)


def test_the_surveyapp_sheet_and_columns_are_imported(extended):
    schema = extended.schema
    assert schema["survey"]["title"] == {"fr": "Enquête marques", "en": "Brand survey"}
    assert [e["id"] for e in schema["endings"]] == ["minor", "full", "done"]
    assert schema["quotas"][0]["targets"] == {1: 10, 2: 10}
    qs = {q["id"]: q for p in schema["pages"] for q in p["questions"]}
    assert qs["lang"]["sets_language"] == {1: "fr", 2: "en"}
    assert qs["nps"]["type"] == "nps"
    assert "min" not in qs["nps"]
    assert qs["mail"] == {**qs["mail"], "type": "email", "contact": {"with": ["tools"]}}
    assert qs["note_free"]["when"] == {"q": "adult", "eq": 1}
    assert schema["pages"][1]["when"] == {"q": "src", "eq": 1}
    tools = qs["tools"]["options"]
    assert tools[1]["when"] == {"q": "age", "lt": 60}
    assert tools[2]["exclusive"] is True


def test_the_extended_survey_screens_out_minors(extended):
    from surveyapp.engine import flow

    survey = load_survey(extended.text, "extended")
    answers = flow.apply_page(survey, "screen", {"lang": "2", "age": 15}, {}, "s")
    step = flow.next_step(survey, "screen", answers)
    assert isinstance(step, flow.EndingReached)
    assert step.ending.status == "screened_out"
    adult = flow.apply_page(survey, "screen", {"lang": "1", "age": 40}, {}, "s")
    step = flow.next_step(survey, "screen", adult, full_cells=frozenset({"by_lang__1"}))
    assert isinstance(step, flow.EndingReached)
    assert step.ending.id == "full"


def _round_trip(text: str, tmp_path: Path, name: str):
    path = tmp_path / f"{name}.xlsx"
    export_xlsform(text, path)
    return import_xlsform(path)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_import_export_import_gives_the_same_schema(form, tmp_path):
    columns, hints, settings = FORMS[form]
    survey, choices = feature_rows(columns, hints)
    first = import_xlsform(write_xlsform(tmp_path / "in.xlsx", survey, choices, settings))
    again = _round_trip(first.text, tmp_path, "out")
    assert again.schema == first.schema
    assert again.text.splitlines()[1:] == first.text.splitlines()[1:]  # (line 1: file name)


def test_extended_round_trip(extended, tmp_path):
    again = _round_trip(extended.text, tmp_path, "out")
    assert again.schema == extended.schema


def test_what_the_export_writes(extended):
    sheets = schema_to_sheets(extended.text)
    assert list(sheets) == ["survey", "choices", "settings", "surveyapp"]
    header = sheets["survey"][0]
    assert header[:4] == ["type", "name", "label::French (fr)", "label::English (en)"]
    rows = [dict(zip(header, row, strict=True)) for row in sheets["survey"][1:]]
    assert rows[0] == {**rows[0], "type": "begin group", "appearance": "field-list"}
    nps = next(r for r in rows if r["name"] == "nps")
    assert (nps["type"], nps["surveyapp_type"], nps["constraint"]) == (
        "integer",
        "nps",
        ". >= 0 and . <= 10",
    )
    settings = dict(zip(*sheets["settings"], strict=True))
    assert settings["default_language"] == "French (fr)"
    assert settings["form_title"] == "Enquête marques"
    assert sheets["surveyapp"][1] == ["survey:"]


def test_texts_that_look_like_formulas_stay_texts(tmp_path):
    columns, hints, settings = FORMS["en"]
    survey, choices = feature_rows(columns, hints)
    survey[0][EN] = "=1+1 is two"
    first = import_xlsform(write_xlsform(tmp_path / "in.xlsx", survey, choices, settings))
    path = tmp_path / "out.xlsx"
    export_xlsform(first.text, path)
    cell = openpyxl.load_workbook(path)["survey"]["C3"]
    assert (cell.value, cell.data_type) == ("=1+1 is two", "s")
    assert import_xlsform(path).schema == first.schema


# --------------------------------------------------------------------------- the barometer
@pytest.fixture(scope="module")
def barometer(tmp_path_factory):
    text = BAROMETER.read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("baro") / "barometre.xlsx"
    export_xlsform(text, path)
    return text, path, import_xlsform(path)


def _without_default_required(schema: dict) -> dict:
    """The schema with `required` dropped where it states the type's default."""
    for page in schema["pages"]:
        for q in page["questions"]:
            default = q["type"] not in ("text", "email")
            if q.get("required") == default:
                del q["required"]
    return schema


def test_barometer_round_trip_passes_the_linter(barometer):
    _, _, result = barometer
    report = lint_text(result.text, "round-trip")
    assert report.ok, report.problems


def test_barometer_round_trip_is_the_same_schema(barometer):
    text, _, result = barometer
    assert result.schema == _without_default_required(yaml.safe_load(text))


def test_barometer_export_writes_xpath_where_it_can(barometer):
    _, path, _ = barometer
    ws = openpyxl.load_workbook(path)["survey"]
    header = [c.value for c in ws[1]]
    relevant = [r[header.index("relevant")] for r in ws.iter_rows(min_row=2, values_only=True)]
    when = [r[header.index("surveyapp_when")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert "${s1} = '3'" in relevant
    assert "${q8} != '7' and ${q8} != ''" in relevant
    assert sum(1 for r in relevant if r) > sum(1 for w in when if w)
    assert "{q: q3_count, gte: 2}" in when  # a derived variable is not on the survey sheet


@pytest.mark.parametrize("full", [frozenset(), frozenset({"country_size__1__1"})])
def test_barometer_routes_are_identical(barometer, full):
    text, _, result = barometer
    original, again = load_survey(text, "original"), load_survey(result.text, "round-trip")
    endings = set()
    for seed in range(40):
        route = random_route(original, seed, full)
        assert random_route(again, seed, full) == route
        endings.add(route[-2][-1][1])
    assert len(endings) >= 3  # the random respondents do reach several endings


def test_pyxform_reads_the_export(barometer):
    """Where pyxform is installed (it is not a dependency), it converts the export too."""
    pyxform = pytest.importorskip("pyxform.xls2xform")
    _, path, _ = barometer
    assert "<h:title>" in pyxform.convert(xlsform=str(path), validate=False).xform


def test_the_authors_names_go_back_to_the_name_column(tmp_path):
    survey = [
        {"type": "integer", "name": "rCSI", EN: "Index?"},
        {"type": "text", "name": "Q-1", EN: "Why ${rCSI}?", "relevant": "${rCSI} > 3"},
        {"type": "calculate", "name": "rCSI.x2", "calculation": "${rCSI} * 2"},
        {"type": "select_multiple src", "name": "d4.3", EN: "Sources?"},
    ]
    choices = [
        {"list_name": "src", "name": "Radio-1", EN: "Radio"},
        {"list_name": "src", "name": "2", EN: "Press"},
    ]
    settings = {"form_id": "names", "version": "1", "form_title": "Names"}
    first = import_xlsform(write_xlsform(tmp_path / "in.xlsx", survey, choices, settings))
    assert first.schema["option_lists"]["src"][0] == {
        "code": "radio_1",
        "column": "Radio-1",
        "label": {"en": "Radio"},
    }
    sheets = schema_to_sheets(first.text)
    header = sheets["survey"][0]
    rows = [dict(zip(header, row, strict=True)) for row in sheets["survey"][1:]]
    why = next(r for r in rows if r["name"] == "Q-1")
    assert why["relevant"] == "${rCSI} > 3"
    assert why[EN] == "Why ${rCSI}?"
    assert "rCSI" in [r["name"] for r in rows]
    choice_rows = [dict(zip(sheets["choices"][0], r, strict=True)) for r in sheets["choices"][1:]]
    assert [r["name"] for r in choice_rows] == ["Radio-1", "2"]
    again = _round_trip(first.text, tmp_path, "out")
    assert again.schema == first.schema


def test_a_column_the_id_does_not_come_from_is_kept_in_its_own_cell(tmp_path):
    text = Path(__file__).resolve().parents[2] / "surveyapp/surveys/barometre-2015.yaml"
    schema = yaml.safe_load(text.read_text(encoding="utf-8"))
    first = schema["pages"][0]["questions"][0]
    first["column"] = "Screen.1"  # `screen_1` would be another id
    rows = schema_to_sheets(yaml.safe_dump(schema, allow_unicode=True, sort_keys=False))
    header = rows["survey"][0]
    row = next(r for r in rows["survey"][1:] if r[header.index("name")] == first["id"])
    assert row[header.index("surveyapp_column")] == "Screen.1"
