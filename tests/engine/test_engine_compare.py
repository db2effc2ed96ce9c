"""Comparisons between two answers in conditions: `{q: tenure, lte: {q: age}}`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.engine import flow, lint_text
from surveyapp.engine.expressions import compare_values, evaluate3
from surveyapp.engine.problems import SchemaError

from .conftest import make_survey, schema_text

PAGES = """\
- id: p1
  questions:
    - {id: age, type: integer, min: 0, max: 120, text: {fr: "Âge", en: "Age"}}
    - {id: tenure, type: integer, min: 0, max: 120, text: {fr: "Ancienneté", en: "Tenure"}}
    - id: home
      type: single
      text: {fr: "Région", en: "Home"}
      options: &regions
        - {code: n, label: {fr: "Nord", en: "North"}}
        - {code: s, label: {fr: "Sud", en: "South"}}
    - {id: work, type: single, text: {fr: "Travail", en: "Work"}, options: *regions}
    - {id: name, type: text, text: {fr: "Nom", en: "Name"}}
- id: p2
  when: WHEN
  questions:
    - {id: why, type: text, text: {fr: "Pourquoi ?", en: "Why?"}}
    - {id: later, type: integer, text: {fr: "Plus tard", en: "Later"}}
"""


def survey_with(when: str):
    return make_survey(PAGES.replace("WHEN", when))


def shows_p2(survey, answers) -> bool:
    return flow.next_step(survey, "p1", answers) == flow.NextPage("p2")


def test_numbers():
    survey = survey_with("{q: tenure, gt: {q: age}}")
    assert shows_p2(survey, {"age": 30, "tenure": 40})
    assert not shows_p2(survey, {"age": 40, "tenure": 40})
    assert not shows_p2(survey, {"age": None, "tenure": 40})  # null: false
    assert not shows_p2(survey, {"tenure": 40})


def test_codes():
    survey = survey_with("{q: home, ne: {q: work}}")
    assert shows_p2(survey, {"home": "n", "work": "s"})
    assert not shows_p2(survey, {"home": "n", "work": "n"})
    assert not shows_p2(survey, {"home": "n"})
    assert shows_p2(survey_with("{not: {q: home, eq: {q: work}}}"), {"home": "n"})


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ("{q: tenure, lte: {q: name}}", "'lte' cannot compare integer question 'tenure' with text"),
        ("{q: home, lt: {q: work}}", "two numbers, or two codes with eq / ne"),
        ("{q: tenure, lte: {q: nope}}", "unknown question 'nope'"),
        ("{q: tenure, lte: {q: later}}", "forward reference: 'later'"),
        ("{q: tenure, lte: {q: age, x: 1}}", "unknown key 'x'"),
    ],
)
def test_errors(when, words):
    with pytest.raises(SchemaError) as info:
        survey_with(when)
    assert any(words in p.message for p in info.value.problems), info.value.problems


def test_three_valued_evaluation_knows_both_sides():
    survey = survey_with("{q: tenure, lte: {q: age}}")
    node = survey.pages[1].when.node
    assert evaluate3(node, {"tenure": 3}, frozenset({"age"})) is None
    assert evaluate3(node, {"tenure": 3, "age": 5}, frozenset()) is True
    assert survey.pages[1].when.refs == {"tenure", "age"}


def test_the_linter_does_not_guess():
    report = lint_text(schema_text(PAGES.replace("WHEN", "{q: tenure, gt: {q: age}}")), "c")
    assert report.ok
    assert [w.message for w in report.warnings] == [
        "not checked (the search does not follow calculations or comparisons of two answers): "
        "question 'why', question 'later', page 'p2' condition",
        "path statistics not computed (conditions read calculations or compare two answers)",
    ]


numbers = st.one_of(st.none(), st.integers(-5, 5), st.floats(-5, 5), st.text(max_size=2))


@given(st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"]), numbers, numbers)
def test_compare_values_is_total(op, a, b):
    result = compare_values(op, a, b)
    assert isinstance(result, bool)
    if a is None or b is None:
        assert result is False
