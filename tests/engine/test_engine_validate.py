"""Validating posted pages: every rule, and hostile input (never accept what is not offered)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from surveyapp.engine import MESSAGES, FieldError, flow, message_text

PAGES = """\
- id: p1
  questions:
    - id: s
      type: single
      text: {fr: "S", en: "S"}
      options:
        - {code: 1, label: {fr: "Un", en: "One"}}
        - {code: 2, label: {fr: "Deux", en: "Two"}}
        - {code: 9, label: {fr: "Autre", en: "Other"}, other: true}
    - id: m
      type: multiple
      min: 2
      max: 3
      text: {fr: "M", en: "M"}
      options:
        - {code: a, label: {fr: "A", en: "A"}}
        - {code: b, label: {fr: "B", en: "B"}}
        - {code: c, label: {fr: "C", en: "C"}}
        - {code: d, label: {fr: "D", en: "D"}}
        - {code: x, label: {fr: "Autre", en: "Other"}, other: true}
        - {code: z, label: {fr: "Aucun", en: "None"}, exclusive: true}
    - id: opt
      type: multiple
      required: false
      text: {fr: "O", en: "O"}
      options:
        - {code: a, label: {fr: "A", en: "A"}}
        - {code: z, label: {fr: "Z", en: "Z"}, exclusive: true}
    - {id: n, type: integer, min: 0, max: 120, text: {fr: "N", en: "N"}}
    - {id: d, type: decimal, min: 0, max: 10, decimals: 1, required: false,
       text: {fr: "D", en: "D"}}
    - {id: t, type: text, required: true, max_length: 10, text: {fr: "T", en: "T"}}
    - {id: e, type: email, text: {fr: "E", en: "E"}}
    - {id: score, type: nps, text: {fr: "NPS", en: "NPS"}}
    - {id: ok, type: consent, text: {fr: "OK", en: "OK"}}
    - id: g
      type: matrix
      text: {fr: "G", en: "G"}
      scale: [{code: 1, label: {fr: "1", en: "1"}}, {code: 2, label: {fr: "2", en: "2"}}]
      rows:
        - {code: r1, text: {fr: "r1", en: "r1"}}
        - {code: r2, text: {fr: "r2", en: "r2"}, when: {q: gate, eq: 1}}
    - {id: hidden, type: text, text: {fr: "H", en: "H"}, when: {q: gate, eq: 2}}
"""

GATE = """\
- id: p0
  questions:
    - id: gate
      type: single
      text: {fr: "G", en: "G"}
      options: [{code: 1, label: {fr: "1", en: "1"}}, {code: 2, label: {fr: "2", en: "2"}}]
"""

VALID = {
    "s": ["1"],
    "m": ["a", "b"],
    "n": ["42"],
    "t": ["court"],
    "score": ["10"],
    "ok": ["1"],
    "g.r1": ["2"],
    "g.r2": ["1"],
}


@pytest.fixture(scope="module")
def survey(survey_from):
    return survey_from(GATE + PAGES)


def check(survey, changes, answers=None, drop=()):
    form = {**VALID, **changes}
    for key in drop:
        form.pop(key)
    return flow.validate_page(survey, "p1", form, answers or {"gate": "1"}, "seed")


def codes(result) -> dict[str, str]:
    return {e.field: e.code for e in result.errors}


def test_a_valid_page(survey):
    result = check(survey, {"d": ["4,5"], "e": ["  a@b.fr "], "opt": ["a"]})
    assert result.ok
    assert not result.errors
    assert result.values == {
        "s": "1",
        "m": ["a", "b"],
        "opt": ["a"],
        "n": 42,
        "d": 4.5,
        "t": "court",
        "e": "a@b.fr",
        "score": 10,
        "ok": "1",
        "g": {"r1": "2", "r2": "1"},
    }


def test_blank_optional_questions_are_stored_as_none(survey):
    result = check(survey, {"d": [""], "e": [" "], "opt": []})
    assert result.ok
    assert result.values["d"] is None
    assert result.values["e"] is None
    assert result.values["opt"] is None


@pytest.mark.parametrize("field", ["s", "m", "n", "t", "score", "g.r1", "g.r2"])
def test_required(survey, field):
    assert codes(check(survey, {}, drop=[field])) == {field: "required"}


def test_consent_must_be_1(survey):
    assert codes(check(survey, {}, drop=["ok"])) == {"ok": "consent_required"}
    assert codes(check(survey, {"ok": ["yes"]})) == {"ok": "consent_required"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"s": ["3"]}, {"s": "invalid_choice"}),
        ({"s": ["Un"]}, {"s": "invalid_choice"}),  # a label, not a code
        ({"s": ["One"]}, {"s": "invalid_choice"}),  # a label in the other language
        ({"s": ["1", "2"]}, {"s": "repeated"}),
        ({"s": ["1", "1"]}, {"s": "repeated"}),
        ({"m": ["a", "a"]}, {"m": "repeated"}),
        ({"m": ["a", "q"]}, {"m": "invalid_choice"}),
        ({"m": ["a"]}, {"m": "too_few"}),
        ({"m": ["a", "b", "c", "d"]}, {"m": "too_many"}),
        ({"m": ["a", "z"]}, {"m": "exclusive"}),
        ({"opt": ["a", "z"]}, {"opt": "exclusive"}),
        ({"n": ["4.5"]}, {"n": "not_an_integer"}),
        ({"n": ["abc"]}, {"n": "not_an_integer"}),
        ({"n": ["٤٢"]}, {"n": "not_an_integer"}),  # non-ASCII digits
        ({"n": ["9" * 40]}, {"n": "not_an_integer"}),
        ({"n": ["121"]}, {"n": "too_large"}),
        ({"n": ["-1"]}, {"n": "too_small"}),
        ({"n": ["1", "2"]}, {"n": "repeated"}),
        ({"d": ["4,55"]}, {"d": "too_many_decimals"}),
        ({"d": ["1e3"]}, {"d": "not_a_number"}),
        ({"d": ["nan"]}, {"d": "not_a_number"}),
        ({"d": ["11"]}, {"d": "too_large"}),
        ({"t": ["x" * 11]}, {"t": "too_long"}),
        ({"t": ["x" * 100_000]}, {"t": "too_long"}),
        ({"t": ["a\x00b"]}, {"t": "invalid_characters"}),
        ({"t": ["a\ud800b"]}, {"t": "invalid_characters"}),
        ({"e": ["nobody"]}, {"e": "invalid_email"}),
        ({"e": ["a@b"]}, {"e": "invalid_email"}),
        ({"e": ["@b.fr"]}, {"e": "invalid_email"}),
        ({"e": ["a@b@c.fr"]}, {"e": "invalid_email"}),
        ({"e": ["a b@c.fr"]}, {"e": "invalid_email"}),
        ({"e": ["a@b .fr"]}, {"e": "invalid_email"}),
        ({"e": [("a" * 250) + "@b.fr"]}, {"e": "invalid_email"}),
        ({"e": ["a\x00@b.fr"]}, {"e": "invalid_email"}),
        ({"score": ["11"]}, {"score": "too_large"}),
        ({"score": ["-1"]}, {"score": "too_small"}),
        ({"g.r1": ["3"]}, {"g.r1": "invalid_choice"}),
        ({"g.r1": ["1", "2"]}, {"g.r1": "repeated"}),
        ({"s": ["9"], "s_other": ["a", "b"]}, {"s_other": "repeated"}),
        ({"s": ["9"], "s_other": ["x" * 1001]}, {"s_other": "too_long"}),
    ],
)
def test_invalid_values_are_refused(survey, changes, expected):
    result = check(survey, changes)
    assert codes(result) == expected
    assert not any(key in result.values for key in expected)


def test_text_is_nfc_normalised_and_trimmed(survey):
    result = check(survey, {"t": ["  Cafe\u0301 "]})
    assert result.values["t"] == "Café"
    emoji = check(survey, {"t": ["😀\u202e"]})
    assert emoji.values["t"] == "😀\u202e"


def test_other_text_is_kept_only_with_the_other_option(survey):
    result = check(
        survey, {"s": ["9"], "s_other": [" Mon autre "], "m": ["a", "x"], "m_other": [""]}
    )
    assert result.values["s_other"] == "Mon autre"
    assert result.values["m_other"] is None
    result = check(survey, {"s_other": ["ignored"]})
    assert "s_other" not in result.values


def test_fields_of_hidden_questions_rows_and_unknown_fields_are_ignored(survey):
    result = check(
        survey,
        {"hidden": ["x"], "zzz": ["1"], "csrf_token": ["t"]},
        answers={"gate": "2"},
        drop=["g.r2"],
    )
    assert result.ok
    assert result.values["hidden"] == "x"  # visible with gate 2
    result = check(survey, {"hidden": ["x"]}, answers={"gate": "1"})
    assert "hidden" not in result.values
    result = check(survey, {"g.r2": ["1"]}, answers={"gate": "2"})
    assert result.values["g"] == {"r1": "2"}


def test_codes_not_offered_now_are_refused(survey_from):
    survey = survey_from(
        GATE
        + """\
- id: p1
  questions:
    - id: s
      type: single
      text: {fr: "S", en: "S"}
      options:
        - {code: 1, label: {fr: "1", en: "1"}}
        - {code: 2, label: {fr: "2", en: "2"}, when: {q: gate, eq: 2}}
"""
    )
    assert codes(flow.validate_page(survey, "p1", {"s": ["2"]}, {"gate": "1"})) == {
        "s": "invalid_choice"
    }
    assert flow.validate_page(survey, "p1", {"s": ["2"]}, {"gate": "2"}).ok


def test_multidict_forms_work(survey):
    form = MultiDict([(k, v) for k, values in VALID.items() for v in values])
    assert flow.validate_page(survey, "p1", form, {"gate": "1"}).ok
    form.add("s", "2")
    assert codes(flow.validate_page(survey, "p1", form, {"gate": "1"})) == {"s": "repeated"}


def test_a_page_whose_condition_fails_accepts_nothing(rich):
    result = flow.validate_page(rich, "opinion", {"nps": ["5"]}, {"brands": ["globex"]})
    assert result.values == {}
    assert result.ok


def test_every_error_code_has_an_english_message_and_formats():
    assert set(MESSAGES) == {
        "required", "invalid_choice", "repeated", "too_few", "too_many", "exclusive",
        "not_an_integer", "not_a_number", "too_small", "too_large", "too_many_decimals",
        "too_long", "invalid_characters", "invalid_email", "consent_required",
        "pattern_mismatch", "not_a_date", "date_too_early", "date_too_late",
        "dont_know_and_number", "check_failed",
        "date_no_day", "date_no_month", "date_no_year", "date_incomplete", "date_not_numbers",
        "date_year_digits", "date_bad_month", "date_not_real",
    }  # fmt: skip
    error = FieldError("m", "too_few", {"min": 2})
    assert message_text(error, lambda s: s) == "Please choose at least 2 answers."
    plural = message_text(error, str, lambda one, many, n: ("ONE " + one, "MANY " + many)[n > 1])
    assert plural == "MANY Please choose at least 2 answers."
    one = FieldError("m", "too_many", {"max": 1})
    assert message_text(one, str) == "Please choose at most 1 answer."  # never "1 answers"
    assert message_text(FieldError("m", "exclusive", {"code": "z"}), str).startswith("“z”")
    named = FieldError("m", "exclusive", {"code": "z", "option": "None"})
    assert message_text(named, str) == "“None” cannot be selected together with another answer."
    assert message_text(FieldError("s", "required"), str) == MESSAGES["required"]
