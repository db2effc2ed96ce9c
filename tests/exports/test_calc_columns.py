"""Calculated derived variables in the export: one column each (number or text), computed by the
engine on both paths, described in the codebook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.engine import load_survey
from surveyapp.engine.derived import derived_values
from surveyapp.exports.cells import PRESETS
from surveyapp.exports.codebook import codebook_rows, missing_codes
from surveyapp.exports.layout import survey_layout
from surveyapp.exports.rows import RowBuilder, Target, make_record

SCHEMA = """\
schema_version: 1
survey:
  id: calc
  version: "1"
  languages: [fr, en]
  default_language: fr
  title: {fr: "Calculs", en: "Calculations"}
derived:
  - id: ratio
    label: {fr: "Part (%)", en: "Share (%)"}
    type: number
    calc: "round(tenure div age * 100, 1)"
  - id: nets_n
    type: number
    calc: "count-selected(nets) + 0"
  - id: tag
    type: text
    calc: "normalize-space(concat(if(selected(nets, 'a'), 'A', ''), ' ', name))"
pages:
  - id: p1
    questions:
      - {id: age, type: integer, min: 0, max: 120, text: {fr: "Âge", en: "Age"}}
      - {id: tenure, type: integer, min: 0, max: 120, text: {fr: "Ancienneté", en: "Tenure"}}
      - {id: name, type: text, text: {fr: "Nom", en: "Name"}}
      - id: nets
        type: multiple
        text: {fr: "Réseaux", en: "Networks"}
        options:
          - {code: a, label: {fr: "A", en: "A"}}
          - {code: b, label: {fr: "B", en: "B"}}
endings:
  - id: end_complete
    status: complete
    default: true
    message: {fr: "Merci", en: "Thanks"}
"""
SURVEY = load_survey(SCHEMA, "calc.yaml")
LAYOUT = survey_layout([(1, SURVEY)])
TARGETS = [Target("csv", PRESETS["plain"], "en"), Target("csv", PRESETS["excel-fr"], "fr"),
           Target("typed")]  # fmt: skip
BUILDERS = [RowBuilder(LAYOUT, SURVEY, 1, t, {"end_complete": 600}) for t in TARGETS]
START = datetime(2026, 6, 1, tzinfo=UTC)


def record(seed: int, answers: dict) -> object:
    return make_record(seed, answers, ending="end_complete", status="complete", params={},
                       started_at=START, completed_at=START + timedelta(seconds=300))  # fmt: skip


def cells(builder: RowBuilder, answers: dict) -> dict[str, object]:
    names = [c.name for c in LAYOUT]
    return dict(zip(names, builder(record(1, answers)), strict=True))


def test_one_column_per_calculation_with_its_kind():
    derived = {c.name: c for c in LAYOUT if c.section == "derived"}
    assert list(derived) == ["ratio", "nets_n", "tag"]
    assert derived["ratio"].kind == "derived_number"
    assert derived["ratio"].numeric
    assert derived["tag"].kind == "derived_text"
    assert not derived["tag"].numeric
    assert derived["tag"].condition == (
        "calculation: normalize-space(concat(if(selected(nets, 'a'), 'A', ''), ' ', name))"
    )
    assert missing_codes(derived["ratio"]) == {
        "": "empty (a value it reads is empty, or a division by zero)"
    }


def test_cells():
    answers = {"age": 40, "tenure": 30, "name": " Ada ", "nets": ["a"]}
    plain = cells(BUILDERS[0], answers)
    assert (plain["ratio"], plain["nets_n"], plain["tag"]) == ("75", 1, "A Ada")
    typed = cells(BUILDERS[2], answers)
    assert (typed["ratio"], typed["nets_n"], typed["tag"]) == (75.0, 1, "A Ada")
    # division by zero and empty answers: empty cells, never -99
    empty = cells(BUILDERS[0], {"age": 0, "tenure": 3, "name": None, "nets": None})
    assert (empty["ratio"], empty["nets_n"], empty["tag"]) == (None, None, None)


def test_codebook_lists_the_calculations():
    rows = list(codebook_rows(LAYOUT, "plain"))
    by_name = {row[0]: row for row in rows}
    assert "calculation: round(tenure div age * 100, 1)" in by_name["ratio"]


answers = st.fixed_dictionaries(
    {},
    optional={
        "age": st.one_of(st.none(), st.integers(0, 120)),
        "tenure": st.one_of(st.none(), st.integers(0, 120)),
        "name": st.one_of(st.none(), st.text(max_size=6)),
        "nets": st.one_of(st.none(), st.lists(st.sampled_from(["a", "b"]), unique=True)),
    },
)


@pytest.mark.parametrize("index", range(len(TARGETS)))
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), values=answers)
def test_fast_path_equals_general_path_and_the_engine(index, seed, values):
    rec = record(seed, values)
    builder = BUILDERS[index]
    assert builder(rec) == builder.general_row(rec)
    env = builder._fast_env(rec)
    expected = derived_values(SURVEY, values)
    assert {k: env[k] for k in expected} == expected


def test_results_memo_keys_calculations_on_what_they_read():
    from surveyapp.results.data import DerivedMemo

    memo = DerivedMemo(SURVEY)
    first = memo({"age": 40, "tenure": 30})
    second = memo({"age": 40, "tenure": 10})
    assert (first["ratio"], second["ratio"]) == (75.0, 25.0)
