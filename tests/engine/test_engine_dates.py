"""Date questions: ISO dates, bounds absolute or relative to today, refused bad bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from surveyapp.engine import SchemaError
from surveyapp.engine.dates import resolve_bound


def _page(low: str, high: str) -> str:
    return f"""\
- id: p1
  questions:
    - {{id: d, type: date, min: '{low}', max: '{high}', text: {{fr: "D", en: "D"}}}}
"""


def test_relative_bounds(survey_from):
    survey = survey_from(_page("today-18y", "today+30d"))
    q = survey.questions["d"]
    today = dt.date(2026, 12, 2)
    assert q.kind.parse(q, {"d": ["2008-12-02"]}, (), (), today=today)[1] == []
    [error] = q.kind.parse(q, {"d": ["2008-12-01"]}, (), (), today=today)[1]
    assert (error.code, dict(error.params)) == ("date_too_early", {"min": "2008-12-02"})
    assert q.kind.parse(q, {"d": ["2027-01-02"]}, (), (), today=today)[1][0].code == (
        "date_too_late"
    )


def test_bounds_resolve():
    today = dt.date(2024, 2, 29)
    assert resolve_bound("today", today) == today
    assert resolve_bound("today-1y", today) == dt.date(2023, 2, 28)
    assert resolve_bound("today+1m", today) == dt.date(2024, 3, 29)
    assert resolve_bound("today-10d", today) == dt.date(2024, 2, 19)
    assert resolve_bound("2020-01-31", today) == dt.date(2020, 1, 31)


@pytest.mark.parametrize("bound", ["yesterday", "2020-02-30", "today-3w", "31/01/2020"])
def test_bad_bounds_are_refused(survey_from, bound):
    with pytest.raises(SchemaError, match="must be a date"):
        survey_from(_page(bound, "today"))
