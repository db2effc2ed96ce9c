"""XLSForm constraints between answers become checks, `required` expressions become
required_when, and constraint_message::<language> becomes the per-language message."""

from __future__ import annotations

import pytest

from surveyapp.engine import flow, load_survey
from surveyapp.xlsform import XlsformError, import_xlsform
from tests.xlsform.xlsform_support import EN, FR, write_xlsform

SETTINGS = {"form_id": "checks", "version": "1", "form_title": "Checks",
            "default_language": "Français (fr)"}  # fmt: skip
CM_FR, CM_EN = "constraint_message::fr", "constraint_message::English (en)"
SURVEY = [
    {"type": "begin group", "name": "who", "appearance": "field-list", FR: "Vous", EN: "You"},
    {"type": "integer", "name": "Age", FR: "Âge ?", EN: "Age?", "constraint": ". >= 18 and . <= 99",
     CM_FR: "De 18 à 99 ans.", CM_EN: "From 18 to 99."},
    {"type": "integer", "name": "tenure", FR: "Ancienneté ?", EN: "Tenure?",
     "constraint": ". <= ${Age}", CM_FR: "Pas plus que votre âge.",
     CM_EN: "Not more than your age."},
    {"type": "text", "name": "why", FR: "Pourquoi ?", EN: "Why?", "required": "${tenure} >= 40"},
    {"type": "end group", "name": "who"},
]  # fmt: skip


def imported(tmp_path, rows=SURVEY):
    path = write_xlsform(tmp_path / "checks.xlsx", rows, None, SETTINGS)
    return import_xlsform(path)


def test_constraints_and_required_map_onto_the_schema(tmp_path):
    result = imported(tmp_path)
    questions = {q["id"]: q for p in result.schema["pages"] for q in p["questions"]}
    assert questions["age"]["min"] == 18
    assert questions["age"]["constraint_message"] == {
        "fr": "De 18 à 99 ans.",
        "en": "From 18 to 99.",
    }
    assert questions["tenure"]["checks"] == [
        {"condition": {"q": "tenure", "lte": {"q": "age"}},
         "message": {"fr": "Pas plus que votre âge.", "en": "Not more than your age."}}
    ]  # fmt: skip
    assert questions["why"]["required_when"] == {"q": "tenure", "gte": 40}
    assert "required" not in questions["why"]
    survey = load_survey(result.text, "checks.yaml")  # the YAML written loads
    page = survey.pages[0].id
    form = {"age": ["30"], "tenure": ["45"]}
    found = {e.field: e for e in flow.validate_page(survey, page, form, {}).errors}
    assert found["tenure"].text == {
        "fr": "Pas plus que votre âge.",
        "en": "Not more than your age.",
    }
    assert found["why"].code == "required"
    found = {e.field: e for e in flow.validate_page(survey, page, {"age": ["12"]}, {}).errors}
    assert found["age"].text["fr"] == "De 18 à 99 ans."


def test_a_missing_language_of_the_message_is_a_located_error(tmp_path):
    rows = [dict(r) for r in SURVEY]
    rows[2][CM_EN] = None
    with pytest.raises(XlsformError) as info:
        imported(tmp_path, rows)
    text = str(info.value)
    assert "English" in text
    assert "constraint message" in text


def test_a_check_without_a_message_gets_the_platforms_and_a_warning(tmp_path):
    rows = [dict(r) for r in SURVEY]
    rows[2][CM_FR] = rows[2][CM_EN] = None
    result = imported(tmp_path, rows)
    assert any("no constraint_message" in str(w) for w in result.warnings)
    check = result.schema["pages"][0]["questions"][1]["checks"][0]
    assert check["message"]["en"].startswith("This answer does not agree")


def test_a_constraint_reading_a_later_question_is_refused_at_its_cell(tmp_path):
    rows = [dict(r) for r in SURVEY]
    rows[2]["constraint"] = ". <= ${later}"
    rows.append({"type": "integer", "name": "later", FR: "Plus tard", EN: "Later"})
    with pytest.raises(XlsformError) as info:
        imported(tmp_path, rows)
    assert "${later} is asked later" in str(info.value)


def test_the_new_keys_round_trip_through_the_xlsform_export(tmp_path):
    import yaml

    from surveyapp.xlsform.exporter import export_xlsform
    from tests.respondent.test_checks_web import SCHEMA

    path = tmp_path / "checks.xlsx"
    export_xlsform(SCHEMA, path)
    back = import_xlsform(path).schema
    original = yaml.safe_load(SCHEMA)
    assert back["pages"][0]["checks"] == original["pages"][0]["checks"]
    for page, again in zip(original["pages"], back["pages"], strict=True):
        assert page["questions"] == again["questions"]
