"""Workbooks as authors write them (issue #14, sample 28's needs): cascading choice filters,
read-only calculated questions, unnamed notes, codes computed as texts, a select_multiple
compared with `=`, `${Capped}` names piped, a form_id with capitals. Each is mapped, with a
warning, never silently."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.engine import load_survey
from surveyapp.xlsform import XlsformError, import_xlsform
from tests.xlsform.xlsform_support import EN, write_xlsform

SETTINGS = {"form_id": "Cascade_Test", "version": "1", "form_title": "Cascade"}
SURVEY = [
    {"type": "select_one region", "name": "Region", EN: "Region?"},
    {"type": "select_one zone", "name": "zone", EN: "Zone?", "choice_filter": "region=${Region}"},
    {"type": "note", EN: "Thank you, ${Region} noted"},
    {"type": "integer", "name": "a", EN: "A?"},
    {"type": "integer", "name": "b", EN: "B?"},
    {
        "type": "decimal",
        "name": "Total",
        EN: "Total:",
        "read_only": "yes",
        "calculation": "${a}+${b}",
        "constraint": ".<=100",
    },
    {"type": "calculate", "name": "band", "calculation": 'if(${Total} > 5, "2", "1")'},
    {"type": "calculate", "name": "twice", "calculation": "${band} * 2"},
    {"type": "select_multiple nets", "name": "nets", EN: "Networks?"},
    {"type": "text", "name": "why", EN: "Why B?", "relevant": "${nets}=2"},
]
CHOICES = [
    {"list_name": "region", "name": "north", EN: "North"},
    {"list_name": "region", "name": "south", EN: "South"},
    {"list_name": "zone", "name": "z1", EN: "Zone 1", "region": "north"},
    {"list_name": "zone", "name": "z2", EN: "Zone 2", "region": "north"},
    {"list_name": "zone", "name": "z3", EN: "Zone 3", "region": "south"},
    {"list_name": "zone", "name": "z4", EN: "Zone 4"},
    {"list_name": "nets", "name": "1", EN: "A"},
    {"list_name": "nets", "name": "2", EN: "B"},
]


@pytest.fixture
def workbook(tmp_path):
    return write_xlsform(tmp_path / "cascade.xlsx", SURVEY, CHOICES, SETTINGS)


def _questions(schema):
    return {q["id"]: q for page in schema["pages"] for q in page["questions"]}


def _warned(result, *words):
    return [str(w) for w in result.warnings if all(word in str(w) for word in words)]


def test_the_author_forms_are_mapped_with_a_warning_each(workbook):
    result = import_xlsform(workbook)
    schema = result.schema
    survey = load_survey(result.text, "cascade")
    assert survey.pages
    # form_id with capitals
    assert schema["survey"]["id"] == "cascade_test"
    assert _warned(result, "form_id 'Cascade_Test' has capitals")
    # cascading choices: each option has a condition on the region; z4 (no region) left out
    zone = _questions(schema)["zone"]
    assert [(o["code"], o.get("when")) for o in zone["options"]] == [
        ("z1", {"q": "region", "eq": "north"}),
        ("z2", {"q": "region", "eq": "north"}),
        ("z3", {"q": "region", "eq": "south"}),
    ]
    assert _warned(result, "cascading choices", "region = ${Region}")
    assert _warned(result, "z4", "never offers them")
    # the unnamed note is named after its row, and ${Region} follows the id it became
    note = _questions(schema)["note_r4"]
    assert note["text"] == {"en": "Thank you, ${region} noted"}
    assert _warned(result, "row 4", "named 'note_r4'")
    # read-only calculated question: a calculation shown in a note; its constraint said
    derived = {d["id"]: d for d in schema["derived"]}
    assert derived["total"] == {"id": "total", "column": "Total", "label": {"en": "Total:"},
                                "type": "number", "calc": "${a}+${b}"}  # fmt: skip
    assert _questions(schema)["total_shown"]["text"] == {"en": "Total: ${total}"}
    assert "total" not in _questions(schema)
    assert _warned(result, "read-only decimal 'Total' becomes the calculation 'total'")
    assert _warned(result, "'.<=100' is on a calculated value", "not checked")
    # codes computed as texts are numbers: arithmetic on them is typed
    assert derived["band"]["calc"] == "if(${total} > 5, 2, 1)"
    assert derived["twice"]["type"] == "number"
    assert _warned(result, "row 8", "numbers written in quotes")
    # a select_multiple compared with = is read as selected()
    assert _questions(schema)["why"]["when"] == {"q": "nets", "has": 2}
    assert _warned(result, "${nets} = 2 on a select_multiple is read as selected(${nets}, '2')")
    assert len(result.warnings) == len(set(result.warnings))


def test_a_cascade_on_a_missing_column_or_code_is_a_located_error(tmp_path):
    survey = [dict(row) for row in SURVEY]
    survey[1]["choice_filter"] = "area=${Region}"
    path = write_xlsform(tmp_path / "bad.xlsx", survey, CHOICES, SETTINGS)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path)
    assert any(
        "no column 'area'" in p.message and p.location.row == 3 for p in info.value.problems
    ), info.value.problems
    choices = [dict(row) for row in CHOICES]
    choices[3]["region"] = "west"
    path = write_xlsform(tmp_path / "bad2.xlsx", SURVEY, choices, SETTINGS)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path)
    [problem] = info.value.problems
    assert (problem.location.sheet, problem.location.row, problem.location.header) == (
        "choices",
        5,
        "region",
    )
    assert "'west' is not a choice" in problem.message


def test_a_cascade_on_the_same_field_list_page_splits_it(tmp_path):
    survey = [
        {"type": "begin_group", "name": "where", "appearance": "field-list"},
        *SURVEY[:2],
        {"type": "end_group"},
    ]
    path = write_xlsform(tmp_path / "split.xlsx", survey, CHOICES, SETTINGS)
    result = import_xlsform(path)
    assert [p["id"] for p in result.schema["pages"]] == ["where", "where_2"]
    load_survey(result.text, "split")


def test_read_only_without_calculation_is_refused(tmp_path):
    survey = [{"type": "integer", "name": "n", EN: "N?", "read_only": "yes"}]
    path = write_xlsform(tmp_path / "ro.xlsx", survey, None, SETTINGS)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path)
    [problem] = info.value.problems
    assert problem.location.header == "read_only"
    assert "without a calculation is never answered" in problem.message


def test_cascading_choices_answered_over_http(app, client, workbook):
    from surveyapp.extensions import db
    from surveyapp.models import Response
    from surveyapp.services import surveys
    from surveyapp.services.audit import Actor
    from tests.respondent.helpers import Respondent

    text = import_xlsform(workbook).text
    with app.app_context():
        loaded = surveys.load_schema_text(db.session, text, "cascade.xlsx", Actor.cli())
        surveys.set_state(db.session, loaded.survey, "open", Actor.cli())
        slug = loaded.survey.slug
    respondent = Respondent(client, slug=slug, headers={"Accept-Language": "en"})
    respondent.start()
    assert respondent.page_id == "p_region"
    respondent.answer({"region": "north"})
    assert respondent.page_id == "p_zone"
    offered = [c.value for c in respondent.fields() if c.name == "zone"]
    assert offered == ["z1", "z2"]
    # a tampered POST of a filtered-out code: the page back, nothing stored
    tampered = respondent.post(respondent.form_for({"zone": "z3"}))
    assert tampered.status_code in (200, 400, 422), tampered.status_code
    with app.app_context():
        stored = db.session.scalars(select(Response)).one().answers
    assert stored.get("zone") is None
    respondent.answer({"zone": "z2"})
    respondent.answer({})  # the note
    respondent.answer({"a": "3"})
    respondent.answer({"b": "4"})
    assert respondent.page_id == "p_total"
    assert "Total: 7" in respondent.html
    respondent.answer({})
    respondent.answer({"nets": ["2"]})
    assert respondent.page_id == "p_why"
    respondent.answer({"why": "because"})
    assert respondent.url == f"/s/{slug}/end"
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
    assert response.status == "complete"
    assert {k: v for k, v in response.answers.items() if v is not None} == {
        "region": "north",
        "zone": "z2",
        "a": 3,
        "b": 4,
        "nets": ["2"],
        "why": "because",
    }


def test_option_conditions_survive_the_xlsform_round_trip(workbook, tmp_path):
    from surveyapp.xlsform.exporter import export_xlsform

    imported = import_xlsform(workbook)
    export_xlsform(imported.text, tmp_path / "again.xlsx")
    again = import_xlsform(tmp_path / "again.xlsx")
    assert (
        _questions(again.schema)["zone"]["options"]
        == _questions(imported.schema)["zone"]["options"]
    )
    assert again.schema["pages"] == imported.schema["pages"]
    assert again.schema["derived"] == imported.schema["derived"]


def test_a_cascade_on_a_later_question_is_reported_once(tmp_path):
    survey = [SURVEY[1], SURVEY[0]]
    path = write_xlsform(tmp_path / "later.xlsx", survey, CHOICES, SETTINGS)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path)
    [problem] = info.value.problems
    assert (problem.location.row, problem.location.header) == (2, "choice_filter")
    assert "${region} is asked later" in problem.message


def test_too_many_pages_give_a_page_per_named_group(tmp_path):
    survey = []
    for group in ("g1", "g2"):
        survey.append({"type": "begin_group", "name": group})
        survey += [{"type": "integer", "name": f"{group}q{i}", EN: "N?"} for i in range(101)]
        survey.append({"type": "end_group"})
    survey.insert(3, {"type": "integer", "name": "n", EN: "N?", "relevant": "${g1q0} > 1"})
    path = write_xlsform(tmp_path / "long.xlsx", survey, None, SETTINGS)
    result = import_xlsform(path)
    assert [p["id"] for p in result.schema["pages"]] == ["g1", "g1_2", "g2"]
    assert _warned(result, "would make 203 pages", "each named group")
    load_survey(result.text, "long")


def test_a_calculation_on_a_question_without_read_only_is_said(tmp_path):
    survey = [{"type": "integer", "name": "n", EN: "N?", "calculation": "1 + 1"}]
    result = import_xlsform(write_xlsform(tmp_path / "c.xlsx", survey, None, SETTINGS))
    assert _questions(result.schema)["n"]["type"] == "integer"
    assert _warned(result, "calculation ignored: without read_only the question is asked")


def test_a_split_page_never_takes_a_question_name(tmp_path):
    survey = [
        {"type": "begin_group", "name": "g", "appearance": "field-list"},
        {"type": "integer", "name": "g_2", EN: "N?"},
        {"type": "integer", "name": "m", EN: "M?", "relevant": "${g_2} > 1"},
        {"type": "end_group"},
    ]
    result = import_xlsform(write_xlsform(tmp_path / "s.xlsx", survey, None, SETTINGS))
    assert [p["id"] for p in result.schema["pages"]] == ["g", "g_3"]
    load_survey(result.text, "s")
