"""What the import refuses: each refusal names the sheet, row and column, and says what to do."""

from __future__ import annotations

import pytest

from surveyapp.xlsform import XlsformError, import_xlsform
from tests.xlsform.xlsform_support import EN, FR, SETTINGS_EN, write_xlsform

YESNO = [
    {"list_name": "yesno", "name": "yes", EN: "Yes"},
    {"list_name": "yesno", "name": "no", EN: "No"},
]


def q(type_: str, name: str, **cells) -> dict:
    """A survey row with an English label."""
    return {"type": type_, "name": name, EN: f"Question {name}?", **cells}


BASE = [q("select_one yesno", "a", required="yes")]

# (case id, survey rows, choices, settings, surveyapp sheet, (sheet, row, header, words))
CASES = [
    ("repeat", [*BASE, q("begin repeat", "kids"), q("text", "kid"), {"type": "end repeat"}],
     None, None, None, ("survey", 3, "type", "repeats are not supported")),
    ("time", [*BASE, q("time", "at")], None, None, None,
     ("survey", 3, "type", "times are not supported")),
    ("geopoint", [*BASE, q("geopoint", "where")], None, None, None,
     ("survey", 3, "type", "locations are not supported")),
    ("photo", [*BASE, q("image", "photo")], None, None, None,
     ("survey", 3, "type", "media capture are not supported")),
    ("range step", [*BASE, q("range", "score", parameters="start=0 end=1 step=0.1")],
     None, None, None, ("survey", 3, "parameters", "whole numbers")),
    ("range misspelt parameter", [*BASE, q("range", "score", parameters="tart=1 end=5")],
     None, None, None, ("survey", 3, "parameters", "range parameter 'tart' is unknown")),
    ("rank", [*BASE, q("rank yesno", "order")], None, None, None,
     ("survey", 3, "type", "ranking is not supported")),
    ("external", [*BASE, q("select_one_from_file towns.csv", "town")], None, None, None,
     ("survey", 3, "type", "copy the choices into the choices sheet")),
    ("unknown type", [*BASE, q("signature", "sig")], None, None, None,
     ("survey", 3, "type", "unknown type 'signature'")),
    ("calculation type", [*BASE, {"type": "calculate", "name": "c", "calculation": "${a} * 2"}],
     None, None, None, ("survey", 3, "calculation", "'*' needs number, not code")),
    ("calculation function", [*BASE, {"type": "calculate", "name": "c",
                                      "calculation": "string-length(${a})"}],
     None, None, None, ("survey", 3, "calculation", "unknown function string-length()")),
    ("calculation syntax", [*BASE, {"type": "calculate", "name": "c", "calculation": "1 +"}],
     None, None, None, ("survey", 3, "calculation", "the expression ends too early")),
    ("xpath function", [*BASE, q("text", "b", relevant="string-length(${a}) > 3")],
     None, None, None, ("survey", 3, "relevant", "string-length() is not supported")),
    ("same page, asked after", [{"type": "begin group", "name": "g", "appearance": "field-list"},
                                q("text", "b", relevant="${a} = 'yes'"), *BASE,
                                {"type": "end group"}],
     None, None, None, ("survey", 3, "relevant", "on the same page")),
    ("later question", [q("text", "b", relevant="${a} = 'yes'"), *BASE], None, None, None,
     ("survey", 2, "relevant", "asked later")),
    ("unknown choice", [*BASE, q("text", "b", relevant="${a} = 'maybe'")], None, None, None,
     ("survey", 3, "relevant", "'maybe' is not a choice")),
    ("cross-question constraint", [*BASE, q("integer", "b", constraint=". <= ${a}")],
     None, None, None, ("survey", 3, "constraint", "only two numbers, or two single choices")),
    ("cascading choice filter", [*BASE, q("select_one yesno", "b", choice_filter="a = ${a}")],
     None, None, None, ("survey", 3, "choice_filter", "has no column 'a'")),
    ("default", [*BASE, q("integer", "n", default="3")], None, None, None,
     ("survey", 3, "default", "default answers are not supported")),
    ("conditional required", [*BASE, q("text", "b", required="${a} = 'maybe'")],
     None, None, None, ("survey", 3, "required", "'maybe' is not a choice")),
    ("required neither yes nor a condition", [*BASE, q("text", "b", required="sometimes")],
     None, None, None, ("survey", 3, "required", "must be yes or no, or a condition")),
    ("names collide", [*BASE, q("text", "Q2"), q("text", "q2")], None, None, None,
     ("survey", 4, "name", "would both be the id 'q2'")),
    ("unclosed group", [{"type": "begin group", "name": "g"}, *BASE], None, None, None,
     ("survey", 2, "type", "never closed")),
    ("stray end group", [*BASE, {"type": "end group"}], None, None, None,
     ("survey", 3, "type", "does not close")),
    ("grid of mixed rows", [{"type": "begin group", "name": "g", EN: "Grid",
                             "appearance": "table-list"},
                            q("select_one yesno", "g_1"), q("text", "g_2"),
                            {"type": "end group"}],
     None, None, None, ("survey", 2, "type", "grid (matrix) question")),
    ("missing list", [q("select_one colours", "c")], [], None, None,
     ("survey", 2, "type", "no list 'colours'")),
    ("parameter", [q("select_one yesno", "b", parameters="max-pixels=100")], None, None, None,
     ("survey", 2, "parameters", "parameter 'max-pixels' is not supported")),
    ("missing translation", [{"type": "text", "name": "b", EN: "Why?", FR: None}],
     None, {**SETTINGS_EN, "default_language": "English (en)"}, None,
     ("survey", 2, FR, "no French (fr) label")),
    ("unknown language", [{"type": "text", "name": "b", "label::Gibberish": "Why?"}],
     None, None, None, ("survey", 1, "label::Gibberish", "label::French (fr)")),
    ("language not said", [{"type": "text", "name": "b", "label": "Why?"}],
     None, SETTINGS_EN, None, ("survey", 1, "label", "which language are the columns label")),
    ("choice codes collide", BASE, [*YESNO, {"list_name": "yesno", "name": "Yes", EN: "Yes!"}],
     None, None, ("choices", 4, "name", "would both be the code 'yes'")),
    ("choice image", BASE, [{"list_name": "yesno", "name": "yes", EN: "Yes",
                             "media::image": "yes.png"}],
     None, None, ("choices", 2, "media::image", "images in choices")),
    ("form_id", BASE, None, {"form_id": "My Form", "version": "1", "form_title": "T"}, None,
     ("settings", 2, "form_id", "e.g. my-form")),
    ("surveyapp yaml", BASE, None, None, "endings:\n  - id: [oops",
     ("surveyapp", 3, "yaml", "YAML")),
    ("surveyapp pages", BASE, None, None, "pages: []",
     ("surveyapp", 2, "yaml", "write questions on the survey sheet")),
    ("surveyapp column", [q("text", "b", **{"surveyapp_personal": "{unclosed"})],
     None, None, None, ("survey", 2, "surveyapp_personal", "not a valid YAML value")),
    ("or_other language", [{"type": "select_one yesno or_other", "name": "b",
                            "label::Klingon (tlh)": "b?"}],
     [{"list_name": "yesno", "name": "yes", "label::Klingon (tlh)": "HIja'"}],
     None, None, ("survey", 2, "type", "surveyapp_other")),
    # found by the linter, moved back onto the cell
    ("options from a single", [*BASE, q("select_one yesno", "b",
                                        choice_filter="selected(${a}, name)")],
     None, None, None, ("survey", 3, "choice_filter", "options_from")),
    ("unknown derived reference", [*BASE, q("text", "b", **{"surveyapp_when":
                                                             "{q: nope, eq: 1}"})],
     None, None, None, ("survey", 3, "surveyapp_when", "nope")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("survey", "choices", "settings", "surveyapp", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_refusal_is_located(tmp_path, survey, choices, settings, surveyapp, expected):
    path = write_xlsform(
        tmp_path / "form.xlsx",
        survey,
        YESNO if choices is None else choices,
        SETTINGS_EN if settings is None else settings,
        surveyapp,
    )
    with pytest.raises(XlsformError) as info:
        import_xlsform(path)
    sheet, row, header, words = expected
    found = [
        p
        for p in info.value.problems
        if (p.location.sheet, p.location.row, p.location.header or None) == (sheet, row, header)
    ]
    assert found, "\n".join(str(p) for p in info.value.problems)
    assert any(words in p.message for p in found), "\n".join(str(p) for p in found)


def test_every_problem_is_reported_at_once(tmp_path):
    survey = [q("geopoint", "d"), q("text", "b", default="x"), q("text", "c", relevant="${zz} = 1")]
    path = write_xlsform(tmp_path / "form.xlsx", survey, YESNO, SETTINGS_EN)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path)
    assert [p.location.row for p in info.value.problems] == [2, 3, 4]
    assert "character 1" in str(info.value.problems[2])


def test_formula_cells_are_refused(tmp_path):
    path = write_xlsform(tmp_path / "form.xlsx", [q("text", "b", hint="=A1")], YESNO, SETTINGS_EN)
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["survey"]["E2"] = "=CONCATENATE(C2, C2)"
    book.save(path)
    with pytest.raises(XlsformError, match="replace the formula by its value"):
        import_xlsform(path)


def test_not_a_workbook(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_text("type,name\n")
    with pytest.raises(XlsformError, match="save it as .xlsx"):
        import_xlsform(path)


def test_odd_sheets_and_columns_only_warn(tmp_path):
    survey = [q("text", "b", guidance_hint="Say it loud", notes="for the team")]
    path = write_xlsform(
        tmp_path / "form.xlsx",
        survey,
        YESNO,
        SETTINGS_EN,
        extra_sheets={"instructions": [["Read me"]]},
    )
    warnings = "\n".join(str(w) for w in import_xlsform(path).warnings)
    assert "instructions: sheet ignored" in warnings
    assert "column 'notes' ignored" in warnings
    assert "guidance_hint ignored" in warnings


def test_a_group_condition_is_refused_once(tmp_path):
    survey = [
        q("select_one yesno", "a"),
        {"type": "begin group", "name": "g", "relevant": "${a} = 'maybe'"},
        q("text", "b"),
        q("text", "c"),
        {"type": "end group"},
    ]
    path = write_xlsform(tmp_path / "form.xlsx", survey, YESNO, SETTINGS_EN)
    with pytest.raises(XlsformError) as info:
        import_xlsform(path)
    found = [p for p in info.value.problems if "'maybe' is not a choice" in p.message]
    assert len(found) == 1, "\n".join(str(p) for p in info.value.problems)
