"""Date questions: ISO dates, bounds absolute or relative to today, refused bad bounds."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _parts(survey_from):
    survey = survey_from(_page("1000-01-01", "9999-12-31"))
    q = survey.questions["d"]

    def parse(day: str, month: str, year: str):
        form = {"d.day": [day], "d.month": [month], "d.year": [year]}
        return q.kind.parse(q, form, (), (), today=dt.date(2026, 12, 2))

    return parse


@pytest.mark.parametrize(
    ("typed", "code", "params"),
    [
        (("31", "2", "2025"), "date_not_real", {"day": "31", "month": "2", "year": "2025"}),
        (("29", "02", "2025"), "date_not_real", {"day": "29", "month": "2", "year": "2025"}),
        (("", "2", "2025"), "date_no_day", {}),
        (("1", "", "2025"), "date_no_month", {}),
        (("1", "2", " "), "date_no_year", {}),
        (("", "", "2025"), "date_incomplete", {}),
        (("1", "13", "2025"), "date_bad_month", {"month": "13"}),
        (("1", "2", "25"), "date_year_digits", {}),
        (("1", "2", "0999"), "date_year_digits", {}),
        (("1e1", "2", "2025"), "date_not_numbers", {}),
        (("٣", "2", "2025"), "date_not_numbers", {}),  # digits int() would accept
        (("123", "2", "2025"), "date_not_numbers", {}),
    ],
)
def test_a_date_typed_in_three_fields_says_what_is_wrong(survey_from, typed, code, params):
    values, errors = _parts(survey_from)(*typed)
    assert values == {}
    assert [(e.field, e.code, dict(e.params)) for e in errors] == [("d", code, params)]


def test_three_blank_fields_are_an_unanswered_question(survey_from):
    values, errors = _parts(survey_from)("", " ", "")
    assert [e.code for e in errors] == ["required"]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(min_value=dt.date(1000, 1, 1)), st.booleans())
def test_three_fields_store_the_iso_date(survey_from, value, padded):
    day, month = (f"{n:02d}" if padded else str(n) for n in (value.day, value.month))
    values, errors = _parts(survey_from)(day, month, f"{value.year:04d}")
    assert errors == []
    assert values == {"d": value.isoformat()}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=6), st.text(max_size=6), st.text(max_size=6))
def test_any_typed_parts_store_a_real_date_or_say_why(survey_from, day, month, year):
    values, errors = _parts(survey_from)(day, month, year)
    if errors:
        assert values == {} or values == {"d": None}
    else:
        dt.date.fromisoformat(values["d"])
