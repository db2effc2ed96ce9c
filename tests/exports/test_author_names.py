"""Names as authors write them (#14): an imported workbook's `rCSI`, `d4.3`, `Q-1` (and the
choice `Press-2`) name the CSV columns; SPSS keeps those it accepts and uses the names made of
ids for the others; the codebook maps each name to its question id and its SPSS name."""

from __future__ import annotations

import csv
import io
import json

import pyreadstat
import pytest

from surveyapp.xlsform import import_xlsform
from tests.exports.helpers import add_version, fill, schema_of, store
from tests.xlsform.xlsform_support import EN, write_xlsform

URL = "/admin/surveys/author-names"
SURVEY = [
    {"type": "integer", "name": "rCSI", EN: "Coping strategies index?"},
    {"type": "select_multiple d43", "name": "d4.3", EN: "Sources?"},
    {"type": "text", "name": "Q-1", EN: "Comment?", "required": "no"},
    {"type": "calculate", "name": "rCSI.x2", "calculation": "${rCSI} * 2"},
]
CHOICES = [
    {"list_name": "d43", "name": "1", EN: "Radio"},
    {"list_name": "d43", "name": "Press-2", EN: "Press"},
]
SETTINGS = {"form_id": "author-names", "version": "1", "form_title": "Names"}


@pytest.fixture
def imported(tmp_path):
    path = write_xlsform(tmp_path / "names.xlsx", SURVEY, CHOICES, SETTINGS)
    return import_xlsform(path, language="en")


@pytest.fixture
def answered(app, imported):
    with app.app_context():
        survey = add_version(imported.text, "names.yaml")
        schema = schema_of(survey)
        script = {"rcsi": "7", "d4_3": ["press_2"], "q_1": "fine"}
        store(survey, fill(schema, script), language="en")


def test_the_import_keeps_the_authors_names_as_columns(imported):
    questions = {q["id"]: q for p in imported.schema["pages"] for q in p["questions"]}
    assert {qid: q.get("column") for qid, q in questions.items()} == {
        "rcsi": "rCSI",
        "d4_3": "d4.3",
        "q_1": "Q-1",
    }
    assert imported.schema["derived"][0]["column"] == "rCSI.x2"
    warned = [w for w in imported.warnings if "its export column keeps the name" in w.message]
    assert len(warned) == 4, imported.warnings


def test_csv_spss_and_codebook_use_the_authors_names(login_as, answered, tmp_path):
    analyst = login_as("analyst")
    data = analyst.get(f"{URL}/export.csv?preset=plain").data.decode("utf-8")
    (row,) = list(csv.DictReader(io.StringIO(data, newline="")))
    answers = ["rCSI", "d4.3_1", "d4.3_Press-2", "Q-1", "rCSI.x2"]
    assert [name for name in row if name in answers] == answers
    assert [row[name] for name in answers] == ["7", "0", "1", "fine", "14"]

    path = tmp_path / "names.sav"
    path.write_bytes(analyst.get(f"{URL}/export.sav").data)
    frame, meta = pyreadstat.read_sav(str(path))
    # SPSS takes rCSI, d4.3_1 and rCSI.x2 as written; Q-1 and d4.3_Press-2 are not SPSS
    # names: the names made of ids
    for name in ("rCSI", "d4.3_1", "d4_3_press_2", "q_1", "rCSI.x2"):
        assert name in meta.column_names, meta.column_names
    assert "Q-1" not in meta.column_names
    assert frame["d4_3_press_2"].tolist() == [1]
    assert frame["rCSI"].tolist() == [7]
    assert frame["q_1"].tolist() == ["fine"]

    book = json.loads(analyst.get(f"{URL}/codebook.json").data)
    columns = {c["name"]: c for c in book["columns"]}
    assert (columns["rCSI"]["question"], columns["rCSI"]["spss_name"]) == ("rcsi", "rCSI")
    assert columns["d4.3_1"]["id_name"] == "d4_3_1"
    assert (columns["d4.3_Press-2"]["option"], columns["d4.3_Press-2"]["spss_name"]) == (
        "press_2",
        "d4_3_press_2",
    )
    assert (columns["Q-1"]["question"], columns["Q-1"]["spss_name"]) == ("q_1", "q_1")
    assert "not a valid SPSS variable name" in columns["Q-1"]["spss_note"]
    assert "spss_note" not in columns["rCSI"]
    text = analyst.get(f"{URL}/codebook.csv?preset=plain").data.decode("utf-8")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert (rows["Q-1"]["question"], rows["Q-1"]["id_name"], rows["Q-1"]["spss_name"]) == (
        "q_1",
        "q_1",
        "q_1",
    )


def test_two_names_that_would_be_one_id_are_one_located_error(tmp_path):
    from surveyapp.xlsform import XlsformError

    survey = [
        {"type": "integer", "name": "A.b", EN: "A?"},
        {"type": "integer", "name": "a_b", EN: "B?"},
    ]
    path = write_xlsform(tmp_path / "clash.xlsx", survey, None, SETTINGS)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path, language="en")
    problems = info.value.problems
    assert len(problems) == 1, problems
    assert "'a_b' and 'A.b'" in str(problems[0])
    assert "row 3" in str(problems[0])


def test_the_results_tables_name_variables_as_their_authors(imported):
    from surveyapp.engine import load_survey
    from surveyapp.exports.layout import survey_layout
    from surveyapp.results.sheet import variable_heading
    from surveyapp.results.variables import catalog, question_titles

    schema = load_survey(imported.text, "names.yaml")
    variables = catalog(survey_layout([(1, schema)]), question_titles([schema]))
    headings = {ident: variable_heading(v) for ident, v in variables.items()}
    assert {k: headings[k] for k in ("rcsi", "d4_3", "q_1", "rcsi_x2")} == {
        "rcsi": "rCSI",
        "d4_3": "d4.3",
        "q_1": "Q-1",
        "rcsi_x2": "rCSI.x2",
    }
    assert variables["d4_3"].columns == ("d4.3_1", "d4.3_Press-2")
    assert headings["language"] == "LANGUAGE"  # no author's name: the id in capitals
