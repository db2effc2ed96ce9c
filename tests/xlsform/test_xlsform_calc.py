"""XLSForm `calculate` rows become calculated derived variables (numbers or texts), typed in row
order, with the author's names and choice names followed; bad ones are refused at the cell."""

from __future__ import annotations

import pytest

from surveyapp.engine import derived_values, flow, load_survey
from surveyapp.xlsform import XlsformError, import_xlsform
from tests.xlsform.xlsform_support import EN, SETTINGS_EN, write_xlsform

CHOICES = [
    {"list_name": "langs", "name": "py-thon", EN: "Python"},
    {"list_name": "langs", "name": "r", EN: "R"},
]
SURVEY = [
    {"type": "integer", "name": "Age", EN: "Age?"},
    {"type": "integer", "name": "tenure", EN: "Years in the job?"},
    {"type": "decimal", "name": "spend.total", EN: "Spend?"},
    {"type": "select_multiple langs", "name": "langs", EN: "Languages?"},
    {"type": "calculate", "name": "share", "calculation": "round(${tenure} div ${Age} * 100, 1)"},
    {"type": "calculate", "name": "Capped", EN: "Capped spend",
     "calculation": "if(${spend.total} > 100, 100, coalesce(${spend.total}, 0))"},
    {"type": "calculate", "name": "n_langs", "calculation": "count-selected(${langs})"},
    {"type": "calculate", "name": "who",
     "calculation": "normalize-space(concat(if(selected(${langs}, 'py-thon'), 'Py', ''), ' ', "
                    "if(${share} >= 50, 'senior', '')))"},
    {"type": "calculate", "name": "score", "calculation": "${Capped} + ${share} mod 7"},
    {"type": "note", "name": "told", EN: "Share: ${share}.", "relevant": "${Capped} > 10"},
]  # fmt: skip


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    path = write_xlsform(tmp_path_factory.mktemp("calc") / "calc.xlsx", SURVEY, CHOICES,
                         SETTINGS_EN)  # fmt: skip
    return import_xlsform(path, language="en")


def test_calculations_are_typed_and_renamed(imported):
    derived = {d["id"]: d for d in imported.schema["derived"]}
    assert derived["share"] == {
        "id": "share",
        "type": "number",
        "calc": "round(${tenure} div ${age} * 100, 1)",
    }
    assert derived["capped"]["calc"] == (
        "if(${spend_total} > 100, 100, coalesce(${spend_total}, 0))"
    )
    assert derived["capped"]["label"] == {"en": "Capped spend"}
    assert derived["n_langs"] == {"id": "n_langs", "type": "number", "count": "langs"}
    assert derived["who"]["type"] == "text"
    assert "selected(${langs}, 'py_thon')" in derived["who"]["calc"]


def test_the_engine_computes_them(imported):
    survey = load_survey(imported.text, "calc.yaml")
    answers = {"age": 40, "tenure": 30, "spend_total": 250.0, "langs": ["py_thon"]}
    assert derived_values(survey, answers) == {
        "share": 75.0,
        "capped": 100,
        "n_langs": 1,
        "who": "Py senior",
        "score": 105.0,
    }
    empty = derived_values(survey, {"age": 0, "tenure": 3})
    assert empty == {"share": None, "capped": 0, "n_langs": None, "who": None, "score": None}
    # a relevant on a calculation, and the calculation piped into the note
    page = next(p.id for p in survey.pages if "told" in {q.id for q in p.questions})
    view = flow.render_page(survey, page, answers, "seed", "en")
    assert "Share: 75." in str(view)


@pytest.mark.parametrize(
    ("calculation", "char", "words"),
    [
        ("${langs} + 1", 1, "'+' needs number, not set"),
        ("${tenure} > 3", 1, "gives a bool: write if(…, 1, 0)"),
        ("${nope} * 2", 1, "unknown reference 'nope'"),
        ("if(${tenure} > 3, 'a', 2)", 19, "must all be numbers or all texts"),
        ("${tenure} / 2", 11, "write 'div' to divide"),
        ("pow(${tenure}, 2)", 1, "unknown function pow()"),
    ],
)
def test_bad_calculations_are_refused_at_the_cell(tmp_path, calculation, char, words):
    rows = [*SURVEY[:4], {"type": "calculate", "name": "bad", "calculation": calculation}]
    path = write_xlsform(tmp_path / "bad.xlsx", rows, CHOICES, SETTINGS_EN)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path, language="en")
    [problem] = info.value.problems
    assert (problem.location.sheet, problem.location.row, problem.location.header) == (
        "survey",
        6,
        "calculation",
    )
    assert problem.char == char
    assert words in problem.message


def test_a_calculation_after_a_refused_one_says_why(tmp_path):
    rows = [
        *SURVEY[:4],
        {"type": "calculate", "name": "bad", "calculation": "${langs} * 2"},
        {"type": "calculate", "name": "worse", "calculation": "${bad} + 1"},
    ]
    path = write_xlsform(tmp_path / "bad.xlsx", rows, CHOICES, SETTINGS_EN)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path, language="en")
    messages = [(p.location.row, p.message) for p in info.value.problems]
    assert messages[0][0] == 6
    assert messages[1][0] == 7
    assert "'bad' (a calculation refused above)" in messages[1][1]


# ------------------------------------------------------------------ two answers compared
def test_two_answers_compared_in_relevant(tmp_path):
    rows = [
        *SURVEY[:2],
        {"type": "select_one langs", "name": "first", EN: "First?"},
        {"type": "select_one langs", "name": "second", EN: "Second?"},
        {"type": "text", "name": "why", EN: "Why?",
         "relevant": "${tenure} > ${Age} or ${first} != ${second}"},
        {"type": "text", "name": "same", EN: "Same?", "relevant": "${second} = ${first}"},
    ]  # fmt: skip
    path = write_xlsform(tmp_path / "cmp.xlsx", rows, CHOICES, SETTINGS_EN)
    imported = import_xlsform(path, language="en")
    whens = {
        q["id"]: q["when"] for page in imported.schema["pages"] for q in page["questions"]
        if "when" in q
    }  # fmt: skip
    assert whens == {
        "why": {"any": [{"q": "tenure", "gt": {"q": "age"}},
                        {"not": {"q": "first", "eq": {"q": "second"}}}]},
        "same": {"q": "second", "eq": {"q": "first"}},
    }  # fmt: skip
    survey = load_survey(imported.text, "cmp.yaml")
    page = next(p for p in survey.pages if p.questions[0].id == "why")
    assert page.questions[0].when({"tenure": 5, "age": 3})
    assert page.questions[0].when({"first": "r"})  # XPath: '' != 'r'
    assert not page.questions[0].when({"tenure": 3, "age": 5, "first": "r", "second": "r"})


def test_two_answers_compared_survive_the_round_trip(tmp_path):
    from surveyapp.xlsform.exporter import export_xlsform

    rows = [*SURVEY[:2], {"type": "text", "name": "why", EN: "Why?",
                          "relevant": "${tenure} >= ${Age}"}]  # fmt: skip
    first = import_xlsform(
        write_xlsform(tmp_path / "a.xlsx", rows, None, SETTINGS_EN), language="en"
    )
    export_xlsform(first.text, tmp_path / "b.xlsx")
    second = import_xlsform(tmp_path / "b.xlsx", language="en")
    assert second.schema["pages"] == first.schema["pages"]


@pytest.mark.parametrize(
    ("relevant", "words"),
    [
        ("${tenure} > ${langs}", "only two numbers, or two single choices"),
        ("${tenure} < ${Age} + 1", "arithmetic"),
    ],
)
def test_comparisons_refused(tmp_path, relevant, words):
    rows = [*SURVEY[:4], {"type": "text", "name": "why", EN: "Why?", "relevant": relevant}]
    path = write_xlsform(tmp_path / "bad.xlsx", rows, CHOICES, SETTINGS_EN)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path, language="en")
    assert any(words in p.message for p in info.value.problems), info.value.problems


def test_calculations_survive_the_round_trip(imported, tmp_path):
    from surveyapp.xlsform.exporter import export_xlsform, schema_to_sheets

    sheets = schema_to_sheets(imported.text)
    header = sheets["survey"][0]
    rows = [dict(zip(header, row, strict=False)) for row in sheets["survey"][1:]]
    # the piped calculation is mirrored as a calculate row, so that ${share} resolves in
    # pyxform; its definition stays in the surveyapp sheet
    mirror = next(r for r in rows if r.get("type") == "calculate" and r.get("name") == "share")
    assert mirror["calculation"] == "round(((${tenure} div ${age}) * 100), 1)"
    export_xlsform(imported.text, tmp_path / "again.xlsx")
    again = import_xlsform(tmp_path / "again.xlsx", language="en")
    assert again.schema["derived"] == imported.schema["derived"]
    assert again.schema["pages"] == imported.schema["pages"]


def test_choice_codes_that_are_whole_numbers_add_up(tmp_path):
    days = [{"list_name": "days", "name": n, EN: str(n)} for n in (0, 3, 7)]
    rows = [
        {"type": "select_one days", "name": "d4.3", EN: "Days?"},
        {"type": "select_one days", "name": "d4.4", EN: "Days?"},
        {"type": "calculate", "name": "stress",
         "calculation": "if((${d4.3} +  ${d4.4})>9,1,0)"},
        {"type": "calculate", "name": "band",
         "calculation": 'if(${stress}=1,"4","1")'},
    ]  # fmt: skip
    imported = import_xlsform(write_xlsform(tmp_path / "d.xlsx", rows, days, SETTINGS_EN),
                              language="en")  # fmt: skip
    types = {d["id"]: d["type"] for d in imported.schema["derived"]}
    # codes computed as texts ("4", "1") are numbers, as XPath reads them in arithmetic
    assert types == {"stress": "number", "band": "number"}
    assert any("numbers written in quotes" in str(w) for w in imported.warnings)
    survey = load_survey(imported.text, "d.yaml")
    assert derived_values(survey, {"d4_3": "7", "d4_4": "3"}) == {"stress": 1, "band": 4}
    assert derived_values(survey, {"d4_3": "7"}) == {"stress": 0, "band": 1}
