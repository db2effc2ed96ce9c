"""A number question's "don't know" code and date questions in the exports: the code in the CSV
with its value label in the codebook, a user-missing value in SPSS; dates as ISO text in the CSV
and as SPSS DATE variables (read back with pyreadstat as dates)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from datetime import UTC, datetime, timedelta

import pyreadstat

from surveyapp.engine import flow, load_survey
from surveyapp.exports.cells import PRESETS
from surveyapp.exports.codebook import codebook_rows, missing_codes
from surveyapp.exports.layout import survey_layout
from surveyapp.exports.rows import RowBuilder, Target, make_record
from surveyapp.exports.spss import SavBuilder

SCHEMA = """\
schema_version: 1
survey:
  id: dk
  version: "1"
  languages: [fr, en]
  default_language: fr
  title: {fr: "Ne sait pas", en: "Don't know"}
derived:
  - id: staff_x2
    type: number
    calc: "staff * 2"
pages:
  - id: p1
    questions:
      - id: staff
        type: integer
        min: 0
        max: 5000
        text: {fr: "Effectif ?", en: "Headcount?"}
        dont_know: {code: -99999, label: {fr: "Je ne sais pas", en: "Don't know"}}
      - id: budget
        type: decimal
        min: 0
        max: 100
        text: {fr: "Budget (k€) ?", en: "Budget (k€)?"}
        dont_know: {code: 998, label: {fr: "Je ne sais pas", en: "Don't know"}}
      - {id: founded, type: date, required: false, text: {fr: "Création ?", en: "Founded?"}}
endings:
  - id: end_complete
    status: complete
    default: true
    message: {fr: "Merci", en: "Thanks"}
"""
SURVEY = load_survey(SCHEMA, "dk.yaml")
LAYOUT = survey_layout([(1, SURVEY)])
START = datetime(2026, 6, 1, tzinfo=UTC)


def _answers(form: dict[str, list[str]]) -> dict:
    """Answers as the respondent's post makes them (validated and applied by the engine)."""
    result = flow.validate_page(SURVEY, "p1", form, {})
    assert result.ok, result.errors
    return flow.apply_page(SURVEY, "p1", result.values, {})


ROWS = [
    _answers({"staff_dk": ["1"], "budget": ["12,5"], "founded": ["2001-02-03"]}),
    _answers({"staff": ["40"], "budget_dk": ["1"]}),
]


def _rows(target: Target) -> list[dict]:
    builder = RowBuilder(LAYOUT, SURVEY, 1, target, {"end_complete": 600})
    names = [c.name for c in LAYOUT]
    out = []
    for i, answers in enumerate(ROWS):
        record = make_record(i + 1, answers, ending="end_complete", status="complete",
                             params={}, started_at=START,
                             completed_at=START + timedelta(seconds=300))  # fmt: skip
        out.append(dict(zip(names, builder(record), strict=True)))
    return out


def test_the_code_is_stored_and_reads_as_no_number():
    assert ROWS[0]["staff"] == -99999
    assert ROWS[1]["budget"] == 998
    assert flow.derived_values(SURVEY, ROWS[0])["staff_x2"] is None  # never -199998
    assert flow.derived_values(SURVEY, ROWS[1])["staff_x2"] == 80


def test_csv_cells_and_codebook():
    rows = _rows(Target("csv", PRESETS["plain"], "en"))
    assert rows[0]["staff"] == -99999
    assert rows[0]["founded"] == "2001-02-03"  # ISO text in the CSV
    assert rows[1]["budget"] == 998
    assert rows[1]["founded"] == "-99"  # shown, not answered
    assert rows[0]["staff_x2"] is None
    book = {c.name: c for c in LAYOUT}
    assert dict(book["staff"].values) == {"-99999": {"fr": "Je ne sais pas", "en": "Don't know"}}
    assert "-99999" in missing_codes(book["staff"])
    text = io.StringIO()
    csv.writer(text).writerows(codebook_rows(LAYOUT, "plain"))
    line = next(r for r in csv.reader(io.StringIO(text.getvalue())) if r[0] == "budget")
    assert "998" in line[6]
    assert "Je ne sais pas" in line[6]
    assert "Don't know" in line[7]
    assert "998=" in line[10]


def test_spss_user_missing_value_label_and_date(tmp_path):
    builder = SavBuilder(LAYOUT, "fr")
    builder.add_rows(RowBuilder(LAYOUT, SURVEY, 1, Target("typed"), {"end_complete": 600})(
        make_record(i + 1, a, ending="end_complete", status="complete", params={},
                    started_at=START, completed_at=START + timedelta(seconds=300))
    ) for i, a in enumerate(ROWS))  # fmt: skip
    path = tmp_path / "dk.sav"
    builder.write(path)
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert frame["staff"].tolist() == [-99999, 40]
    assert frame["budget"].tolist() == [12.5, 998]
    assert frame["founded"].tolist()[0] == dt.date(2001, 2, 3)
    assert meta.original_variable_types["founded"] == "SDATE10"
    assert meta.readstat_variable_types["founded"] == "double"
    assert meta.variable_value_labels["staff"][-99999] == "Je ne sais pas"
    assert meta.variable_value_labels["budget"][998] == "Je ne sais pas"
    declared = {
        name: sorted(r["lo"] for r in ranges if r["lo"] == r["hi"])
        for name, ranges in meta.missing_ranges.items()
        if name in ("staff", "budget")
    }
    assert declared == {"staff": [-99999, -99], "budget": [-99, 998]}
    # Without user_missing, SPSS semantics: the "don't know" code is missing, never a number.
    plain, _ = pyreadstat.read_sav(str(path))
    assert plain["staff"].isna().tolist() == [True, False]


def test_results_leave_dont_know_out_of_the_statistics_but_in_the_base():
    from surveyapp.results.breakdowns import columns
    from surveyapp.results.data import build_dataset
    from surveyapp.results.numbers import number_table
    from surveyapp.results.variables import catalog, question_titles

    answers = [*ROWS, _answers({"staff": ["60"], "budget": ["1"]})]
    recs = [make_record(i + 1, a, ending="end_complete", status="complete", params={},
                        started_at=START, completed_at=START + timedelta(seconds=300))
            for i, a in enumerate(answers)]  # fmt: skip
    variables = catalog(LAYOUT, question_titles([SURVEY]))
    data = build_dataset(variables.values(), {1: SURVEY}, [recs])
    table = number_table(data, variables["staff"], columns(data, None), None)
    rows = {r.key or r.label["en"]: r for r in table.rows}
    assert rows["mean"].cells[0].count == 50  # (40 + 60) / 2, never with -99999
    assert rows["min"].cells[0].count == 40
    assert rows["Don’t know (not in the statistics)"].cells[0].n == 1
    assert table.bases[0].n == 3  # every respondent asked is in the base
