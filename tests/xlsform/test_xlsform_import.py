"""Importing XLSForms: each mapped feature, in English, French and both, run by the engine."""

from __future__ import annotations

import pytest

from surveyapp.engine import flow, load_survey
from surveyapp.xlsform import import_xlsform
from tests.xlsform.xlsform_support import (
    EN,
    FORMS,
    SETTINGS_EN,
    feature_rows,
    write_xlsform,
)

SEED = "xlsform-test"


@pytest.fixture(params=sorted(FORMS), scope="module")
def imported(request, tmp_path_factory):
    columns, hints, settings = FORMS[request.param]
    survey, choices = feature_rows(columns, hints)
    path = tmp_path_factory.mktemp("xls") / f"features-{request.param}.xlsx"
    write_xlsform(path, survey, choices, settings)
    return request.param, import_xlsform(path)


def _questions(schema):
    return {q["id"]: q for page in schema["pages"] for q in page["questions"]}


def test_header_languages_and_title(imported):
    name, result = imported
    survey = result.schema["survey"]
    assert survey["id"] == "test-form"
    assert survey["version"] == "1"
    expected = {"en": ["en"], "fr": ["fr"], "fr+en": ["fr", "en"]}[name]
    assert survey["languages"] == expected
    assert survey["default_language"] == expected[0]
    assert survey["title"] == {lang: "Test" for lang in expected}
    assert "version: '1'" in result.text  # quoted: YAML 1.1 would read 1 as a number


def test_pages_from_groups_and_standalone_questions(imported):
    _, result = imported
    pages = [(p["id"], [q["id"] for q in p["questions"]]) for p in result.schema["pages"]]
    assert pages == [
        ("p_intro", ["intro"]),
        ("p_consent", ["consent"]),
        ("screen", ["country", "age"]),
        ("habits", ["brands", "spend"]),
        ("p_fav", ["fav"]),
        ("p_why", ["why"]),
        ("opinion", ["sat"]),
        ("p_bye", ["bye"]),
    ]
    by_id = {p["id"]: p for p in result.schema["pages"]}
    assert by_id["habits"]["when"] == {
        "all": [{"q": "age", "gte": 18}, {"not": {"q": "country", "eq": "elsewhere"}}]
    }
    assert by_id["p_why"]["when"] == {"q": "brands", "has": "acme"}


def test_questions(imported):
    name, result = imported
    qs = _questions(result.schema)
    lang = name.split("+")[0]
    assert qs["intro"]["type"] == "note"
    assert qs["consent"]["type"] == "consent"
    assert qs["country"]["options"] == "countries"
    assert qs["country"]["help"][lang] in ("Your main residence.", "Votre résidence principale.")
    assert (qs["age"]["min"], qs["age"]["max"]) == (16, 99)
    brands = qs["brands"]
    assert brands["type"] == "multiple"
    assert brands["order"] == "random"
    assert brands["max"] == 3
    assert [o["code"] for o in brands["options"]] == ["acme", "globex", "initech", "other_choice"]
    assert brands["options"][-1]["other"] is True
    assert qs["spend"] == {**qs["spend"], "type": "decimal", "min": 0, "required": False}
    fav = qs["fav"]
    # or_other gives brands its own list; fav offers the ticked codes of list `brands`
    assert fav["options_from"] == "brands"
    assert fav["options"] == "brands"
    assert fav["display"] == "dropdown"
    assert fav["when"] == {"q": "brands", "count_gte": 2}
    assert qs["why"]["multiline"] is True
    assert qs["why"]["max_length"] == 200
    assert "required" not in qs["why"]  # text is optional by default, as in XLSForm
    sat = qs["sat"]
    assert sat["type"] == "matrix"
    assert sat["scale"] == "scale"
    assert [r["code"] for r in sat["rows"]] == ["price", "quality"]
    assert sat["rows"][1]["when"] == {"q": "country", "eq": "fr"}
    assert qs["bye"]["when"] == {"q": "n_brands", "gte": 2}
    assert result.schema["derived"][0]["count"] == "brands"
    assert result.schema["endings"][0]["default"] is True


def test_warnings_say_what_was_left_out(imported):
    _, result = imported
    text = "\n".join(str(w) for w in result.warnings)
    assert "or_other adds the choice other_choice" in text
    assert "end_complete" in text


def _respond(survey, script, lang):
    """Post a script page by page; returns pages seen, ending, answers and the views."""
    answers, pages, views = {}, [], {}
    page_id = flow.first_page(survey, answers)
    for _ in range(20):
        view = flow.render_page(survey, page_id, answers, SEED, lang)
        pages.append(page_id)
        views[page_id] = view
        form = {
            k: v if isinstance(v, list) else [v]
            for k, v in script.items()
            if k.split(".")[0].removesuffix("_other") in {q.id for q in view.questions}
        }
        result = flow.validate_page(survey, page_id, form, answers, SEED)
        assert not result.errors, (page_id, result.errors)
        answers = flow.apply_page(survey, page_id, result.values, answers, SEED)
        step = flow.next_step(survey, page_id, answers)
        if isinstance(step, flow.EndingReached):
            return pages, step.ending.id, answers, views
        page_id = step.page_id
    raise AssertionError(pages)


SCRIPT = {
    "consent": "1",
    "country": "fr",
    "age": "30",
    "brands": ["acme", "globex", "other_choice"],
    "brands_other": "Umbrella",
    "spend": "12.5",
    "fav": "globex",
    "why": "Good value",
    "sat.price": "4",
    "sat.quality": "5",
}


def test_the_engine_runs_the_imported_survey(imported):
    name, result = imported
    survey = load_survey(result.text, "imported")
    lang = name.split("+")[-1]
    pages, ending, answers, views = _respond(survey, SCRIPT, lang)
    assert ending == "end_complete"
    assert pages == [
        "p_intro",
        "p_consent",
        "screen",
        "habits",
        "p_fav",
        "p_why",
        "opinion",
        "p_bye",
    ]
    offered = {o.code for o in views["p_fav"].questions[0].options}
    assert offered == {"acme", "globex"}  # as in ODK: 'other' is not in fav's list
    assert answers["brands_other"] == "Umbrella"
    assert answers["sat"] == {"price": "4", "quality": "5"}
    assert "Globex" in views["p_bye"].questions[0].text  # ${fav} piped as its label
    assert flow.derived_values(survey, answers)["n_brands"] == 3


def test_conditions_route_minors_and_non_acme_fans(imported):
    name, result = imported
    survey = load_survey(result.text, "imported")
    script = {**SCRIPT, "age": "17", "country": "be"}
    pages, ending, answers, _ = _respond(survey, script, name.split("+")[0])
    assert pages == ["p_intro", "p_consent", "screen", "opinion"]
    assert ending == "end_complete"
    assert "brands" not in answers
    assert "sat" in answers
    assert list(answers["sat"]) == ["price"]  # quality is asked in France only


def test_other_in_xpath_names_the_or_other_choice(tmp_path):
    survey = [
        {"type": "select_one tools or_other", "name": "tool", EN: "Tool?", "required": "yes"},
        {"type": "text", "name": "why", EN: "Why?", "relevant": "${tool} = 'other'"},
    ]
    choices = [{"list_name": "tools", "name": "crm", EN: "CRM"}]
    path = write_xlsform(tmp_path / "other.xlsx", survey, choices, SETTINGS_EN)
    schema = import_xlsform(path).schema
    assert schema["pages"][1]["questions"][0]["when"] == {"q": "tool", "eq": "other_choice"}
