"""Text patterns: RE2 (linear time), refused when RE2 cannot compile them, checked on submit."""

from __future__ import annotations

import time

import pytest

from surveyapp.engine import SchemaError
from surveyapp.engine.inputs import compiled_pattern


def _page(pattern: str) -> str:
    return f"""\
- id: p1
  questions:
    - id: code
      type: text
      required: true
      pattern: '{pattern}'
      text: {{fr: "Code", en: "Code"}}
"""


def _parse(survey, raw: str):
    q = survey.questions["code"]
    return q.kind.parse(q, {"code": [raw]}, (), ())


def test_pattern_is_checked(survey_from):
    survey = survey_from(_page("^[0-9]{5}$"))
    assert _parse(survey, "75011") == ({"code": "75011"}, [])
    values, errors = _parse(survey, "7501A")
    assert values == {}
    assert [e.code for e in errors] == ["pattern_mismatch"]


def test_a_catastrophic_pattern_runs_in_linear_time(survey_from):
    # `^(a+)+$` makes a backtracking engine (Python's re) take exponential time on 'aaa…!'
    survey = survey_from(_page("^(a+)+$"))
    started = time.perf_counter()
    values, errors = _parse(survey, "a" * 900 + "!")
    assert [e.code for e in errors] == ["pattern_mismatch"]
    assert time.perf_counter() - started < 1.0
    assert compiled_pattern("^(a+)+$").search("a" * 900)


@pytest.mark.parametrize("pattern", ["(a)\\1", "(?=a)b", "[unclosed"])
def test_patterns_re2_cannot_run_are_refused(survey_from, pattern):
    with pytest.raises(SchemaError) as info:
        survey_from(_page(pattern))
    assert any("not a regular expression RE2 accepts" in p.message for p in info.value.problems)
