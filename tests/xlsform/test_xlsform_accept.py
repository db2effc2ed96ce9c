"""What XLSForm accepts is accepted here too, with a warning whenever the import supplies or
maps something: languages, optional settings, formula cells, authors' names, legacy types."""

from __future__ import annotations

import openpyxl
import pytest

from surveyapp.engine import export_columns, load_survey
from surveyapp.xlsform import XlsformError, import_xlsform
from tests.xlsform.xlsform_support import EN, SETTINGS_EN, save_cached_values, write_xlsform

YESNO = [
    {"list_name": "yesno", "name": "yes", EN: "Yes"},
    {"list_name": "yesno", "name": "no", EN: "No"},
]


def _warnings(result) -> str:
    return "\n".join(str(w) for w in result.warnings)


def test_unsuffixed_columns_take_the_language_option(tmp_path):
    path = write_xlsform(
        tmp_path / "form.xlsx",
        [{"type": "text", "name": "b", "label": "Why?", "hint": "Say it"}],
        [],
        SETTINGS_EN,
    )
    with pytest.raises(XlsformError) as info:
        import_xlsform(path)
    [problem] = info.value.problems  # one question, not one message per column
    assert "which language are the columns hint, label written in?" in problem.message
    survey = import_xlsform(path, language="en").schema["survey"]
    assert survey["languages"] == ["en"]


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("label:english", "en"),
        ("label::English (en)", "en"),
        ("label::Swahili", "sw"),
        ("label::Kiswahili", "sw"),
        ("label::sw", "sw"),
        ("label::Deutsch (de)", "de"),
        ("label::English\n", "en"),
    ],
)
def test_language_headers(tmp_path, header, code):
    path = write_xlsform(
        tmp_path / "form.xlsx",
        [{"type": "select one from yesno", "name": "b", header: "Why?"}],
        [{"list_name": "yesno", "name": n, header: n} for n in ("yes", "no")],
        SETTINGS_EN,
    )
    schema = import_xlsform(path).schema
    assert schema["survey"]["languages"] == [code]
    assert schema["pages"][0]["questions"][0]["type"] == "single"


def test_settings_are_optional(tmp_path):
    path = write_xlsform(
        tmp_path / "09 Kobo_Sample.xlsx", [{"type": "text", "name": "b", EN: "Why?"}], []
    )
    saved = openpyxl.load_workbook(path).properties.modified  # as Excel and openpyxl write it
    result = import_xlsform(path)
    survey = result.schema["survey"]
    assert survey["id"] == "kobo_sample"
    assert survey["title"] == {"en": "09 Kobo_Sample"}
    assert survey["version"] == saved.strftime("%Y-%m-%d")
    warnings = _warnings(result)
    assert "no form_id: the survey id is 'kobo_sample'" in warnings
    assert "no version: the version is" in warnings
    assert "no form_title" in warnings
    load_survey(result.text, "imported")


def test_form_id_with_underscores(tmp_path):
    settings = {**SETTINGS_EN, "form_id": "multi_lingual_export"}
    path = write_xlsform(
        tmp_path / "f.xlsx", [{"type": "text", "name": "b", EN: "Why?"}], [], settings
    )
    result = import_xlsform(path)
    assert result.schema["survey"]["id"] == "multi_lingual_export"
    assert load_survey(result.text, "x").id == "multi_lingual_export"


def test_formula_cells_use_their_saved_value(tmp_path):
    path = write_xlsform(
        tmp_path / "form.xlsx", [{"type": "text", "name": "b", EN: "Why?"}], YESNO, SETTINGS_EN
    )
    book = openpyxl.load_workbook(path)
    book["survey"]["C2"] = '="Wh"&"y?"'
    book["choices"]["B3"] = '=LOWER("NO")'
    book.save(path)
    save_cached_values(path, 1, {"C2": "Why not?"})
    save_cached_values(path, 2, {"B3": "no"})
    result = import_xlsform(path)
    assert result.schema["pages"][0]["questions"][0]["text"] == {"en": "Why not?"}
    warnings = _warnings(result)
    assert "survey, row 2, column C: the formula" in warnings
    assert "saved value 'Why not?'" in warnings
    assert "choices, row 3, column B" in warnings


def test_formula_without_a_saved_value_is_refused(tmp_path):
    path = write_xlsform(
        tmp_path / "form.xlsx", [{"type": "text", "name": "b", EN: "Why?"}], YESNO, SETTINGS_EN
    )
    book = openpyxl.load_workbook(path)
    book["survey"]["C2"] = '="Wh"&"y?"'
    book.save(path)
    with pytest.raises(XlsformError, match="has no saved value"):
        import_xlsform(path)


def test_authors_names_become_ids_and_references_follow(tmp_path):
    survey = [
        {"type": "select_multiple cl-roles", "name": "Project-Role", EN: "Roles?"},
        {"type": "text", "name": "Why.Data", EN: "Why?",
         "relevant": "selected(${Project-Role}, 'role-data')"},
    ]  # fmt: skip
    choices = [
        {"list_name": "cl-roles", "name": "role-data", EN: "Data"},
        {"list_name": "cl-roles", "name": "Geflüchtete", EN: "Refugees"},
    ]
    path = write_xlsform(tmp_path / "form.xlsx", survey, choices, SETTINGS_EN)
    result = import_xlsform(path)
    pages = result.schema["pages"]
    roles, why = pages[0]["questions"][0], pages[1]["questions"][0]
    assert roles["id"] == "project_role"
    options = result.schema["option_lists"][roles["options"]]
    assert roles["options"] == "cl_roles"
    assert [o["code"] for o in options] == ["role_data", "gefluchtete"]
    assert why["id"] == "why_data"
    assert why["when"] == {"q": "project_role", "has": "role_data"}
    warnings = _warnings(result)
    assert "the question 'Project-Role' has the id 'project_role'" in warnings
    assert "'role-data' -> role_data" in warnings
    load_survey(result.text, "imported")


def test_range_becomes_a_bounded_integer(tmp_path):
    survey = [{"type": "range", "name": "r", EN: "Rate", "parameters": "start=1 end=5 step=1"}]
    path = write_xlsform(tmp_path / "form.xlsx", survey, [], SETTINGS_EN)
    result = import_xlsform(path)
    question = result.schema["pages"][0]["questions"][0]
    assert (question["type"], question["min"], question["max"]) == ("integer", 1, 5)
    assert "range becomes an integer question from 1 to 5" in _warnings(result)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("select one from yesno", "single"),
        ("select all that apply from yesno", "multiple"),
        ("select_multiple yesno", "multiple"),
        ("phone number", "text"),
        ("acknowledge", "consent"),
    ],
)
def test_legacy_type_spellings(tmp_path, cell, expected):
    path = write_xlsform(
        tmp_path / "form.xlsx", [{"type": cell, "name": "b", EN: "B?"}], YESNO, SETTINGS_EN
    )
    assert import_xlsform(path).schema["pages"][0]["questions"][0]["type"] == expected


def test_acknowledge_compared_with_ok(tmp_path):
    survey = [
        {"type": "acknowledge", "name": "consent", EN: "Click OK"},
        {"type": "begin_group", "name": "g", EN: "G", "relevant": '${consent} = "OK"'},
        {"type": "text", "name": "b", EN: "B?"},
        {"type": "integer", "name": "c", EN: "C?"},
        {"type": "end_group"},
    ]
    path = write_xlsform(tmp_path / "form.xlsx", survey, [], SETTINGS_EN)
    pages = import_xlsform(path).schema["pages"]
    assert [p.get("when") for p in pages[1:]] == [{"q": "consent", "answered": True}] * 2


OTHER_LIST = [
    {"list_name": "topics", "name": "sport", EN: "Sport"},
    {"list_name": "topics", "name": "other", EN: "Something else"},
]


def test_same_page_conditions_split_the_group(tmp_path):
    survey = [
        {"type": "begin_group", "name": "part_a", "appearance": "field-list"},
        {"type": "select_one yesno", "name": "works", EN: "Works?"},
        {"type": "integer", "name": "size", EN: "Size?"},
        {"type": "text", "name": "how", EN: "How?", "relevant": "${works} = 'yes'"},
        {"type": "text", "name": "why", EN: "Why?", "relevant": "${how} != ''"},
        {"type": "end_group"},
    ]
    path = write_xlsform(tmp_path / "form.xlsx", survey, YESNO, SETTINGS_EN)
    result = import_xlsform(path)
    layout = [(p["id"], [q["id"] for q in p["questions"]]) for p in result.schema["pages"]]
    assert layout == [
        ("part_a", ["works", "size"]),
        ("part_a_2", ["how"]),
        ("part_a_3", ["why"]),
    ]
    assert "split into the pages part_a, part_a_2, part_a_3 (before rows 5, 6)" in _warnings(result)
    load_survey(result.text, "imported")


def test_other_specify_idiom(tmp_path):
    survey = [
        {"type": "begin_group", "name": "g", "appearance": "field-list"},
        {"type": "select_multiple topics", "name": "topics", EN: "Topics?"},
        {"type": "text", "name": "topics_other", EN: "Which?",
         "relevant": "selected(${topics}, 'other')"},
        {"type": "select_one topics", "name": "main", EN: "Main?"},
        {"type": "end_group"},
    ]  # fmt: skip
    path = write_xlsform(tmp_path / "form.xlsx", survey, [*OTHER_LIST, *YESNO], SETTINGS_EN)
    result = import_xlsform(path)
    pages = result.schema["pages"]
    topics = pages[0]["questions"][0]
    assert [q["id"] for q in pages[0]["questions"]] == ["topics", "main"]
    assert topics["options"][1] == {
        "code": "other", "label": {"en": "Something else"}, "other": True
    }  # fmt: skip
    warnings = _warnings(result)
    assert "'topics_other' is the 'other, specify' text of 'topics'" in warnings
    load_survey(result.text, "imported")


def test_other_specify_on_a_missing_choice_is_left_out(tmp_path):
    survey = [
        {"type": "select_multiple yesno", "name": "a", EN: "A?"},
        {"type": "text", "name": "a_other", EN: "Which?", "relevant": "selected(${a}, 'other')"},
    ]
    path = write_xlsform(tmp_path / "form.xlsx", survey, YESNO, SETTINGS_EN)
    result = import_xlsform(path)
    assert [p["id"] for p in result.schema["pages"]] == ["p_a"]
    assert "'a_other' is never shown: 'other' is not a choice of 'a'" in _warnings(result)


def test_regex_constraint_becomes_a_pattern(tmp_path):
    survey = [
        {"type": "text", "name": "email", EN: "E-mail?",
         "constraint": r"regex(., '^[^@\s]+@[^@\s]+\.[^@\s]+$') and string-length(.) <= 80"},
    ]  # fmt: skip
    path = write_xlsform(tmp_path / "form.xlsx", survey, [], SETTINGS_EN)
    result = import_xlsform(path)
    question = result.schema["pages"][0]["questions"][0]
    assert question["pattern"] == r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    assert question["max_length"] == 80
    survey_obj = load_survey(result.text, "imported")
    q = survey_obj.questions["email"]
    assert q.kind.parse(q, {"email": ["a@b.de"]}, (), ())[1] == []
    assert q.kind.parse(q, {"email": ["nope"]}, (), ())[1][0].code == "pattern_mismatch"


def test_a_pattern_re2_cannot_run_is_refused_on_its_cell(tmp_path):
    survey = [{"type": "text", "name": "t", EN: "T?", "constraint": r"regex(., '(a)\1')"}]
    path = write_xlsform(tmp_path / "form.xlsx", survey, [], SETTINGS_EN)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path)
    [problem] = info.value.problems
    assert (problem.location.row, problem.location.header) == (2, "constraint")
    assert "back-references" in problem.message


def test_choice_filter_on_a_choices_column(tmp_path):
    choices = [
        {"list_name": "colors", "name": "red", EN: "Red", "pastel": "no"},
        {"list_name": "colors", "name": "mauve", EN: "Mauve", "pastel": "yes"},
        {"list_name": "colors", "name": "apricot", EN: "Apricot", "pastel": "yes"},
    ]
    survey = [
        {"type": "select_one colors", "name": "fav", EN: "Favourite?"},
        {"type": "select_one colors", "name": "pastel", EN: "Pastel?",
         "choice_filter": "pastel=yes"},
    ]  # fmt: skip
    path = write_xlsform(tmp_path / "form.xlsx", survey, choices, SETTINGS_EN)
    result = import_xlsform(path)
    pastel = result.schema["pages"][1]["questions"][0]
    assert [o["code"] for o in pastel["options"]] == ["mauve", "apricot"]
    assert result.schema["pages"][0]["questions"][0]["options"] == "colors"
    assert "keeps the choices whose pastel is yes: mauve, apricot" in _warnings(result)
    assert "column 'pastel' ignored" not in _warnings(result)


def test_dates_import_with_bounds_and_round_trip(tmp_path):
    from surveyapp.xlsform.exporter import export_xlsform

    survey = [
        {"type": "date", "name": "born", EN: "Born?", "required": "yes",
         "constraint": ". >= date('1900-01-01') and . <= today()"},
        {"type": "text", "name": "zip", EN: "Postcode?", "constraint": "regex(., '^[0-9]{5}$')"},
    ]  # fmt: skip
    path = write_xlsform(tmp_path / "form.xlsx", survey, [], SETTINGS_EN)
    result = import_xlsform(path)
    born = result.schema["pages"][0]["questions"][0]
    assert (born["type"], born["min"], born["max"]) == ("date", "1900-01-01", "today")
    loaded = load_survey(result.text, "imported")
    q = loaded.questions["born"]
    assert q.kind.parse(q, {"born": ["1980-02-29"]}, (), ()) == ({"born": "1980-02-29"}, [])
    assert q.kind.parse(q, {"born": ["1899-12-31"]}, (), ())[1][0].code == "date_too_early"
    assert q.kind.parse(q, {"born": ["9999-01-01"]}, (), ())[1][0].code == "date_too_late"
    assert q.kind.parse(q, {"born": ["31/01/1980"]}, (), ())[1][0].code == "not_a_date"
    out = tmp_path / "again.xlsx"
    export_xlsform(result.text, out)
    assert import_xlsform(out).schema["pages"] == result.schema["pages"]


def test_bind_prefixed_headers(tmp_path):
    survey = [
        {"type": "select_one yesno", "name": "a", EN: "A?"},
        {"type": "integer", "name": "n", EN: "N?", "bind:relevant": "${a} = 'yes'",
         "bind:constraint": ". >= 1"},
    ]  # fmt: skip
    path = write_xlsform(tmp_path / "form.xlsx", survey, YESNO, SETTINGS_EN)
    question = import_xlsform(path).schema["pages"][1]["questions"][0]
    assert question["when"] == {"q": "a", "eq": "yes"}
    assert question["min"] == 1


def test_other_specify_of_an_author_named_question_says_its_column(tmp_path):
    survey = [
        {"type": "select_multiple topics", "name": "Topics.1", EN: "Topics?"},
        {"type": "text", "name": "Topics.1_other", EN: "Which?",
         "relevant": "selected(${Topics.1}, 'other')"},
    ]  # fmt: skip
    path = write_xlsform(tmp_path / "form.xlsx", survey, OTHER_LIST, SETTINGS_EN)
    result = import_xlsform(path)
    warnings = _warnings(result)
    assert "exported as Topics.1_other" in warnings
    assert "(the author's name was" not in warnings
    names = [c.name for c in export_columns(load_survey(result.text, "imported"))]
    assert "Topics.1_other" in names
