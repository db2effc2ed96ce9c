"""Cross-question checks, `required_when`, per-language constraint messages and "don't know"
on number questions: loading (located errors), validation, rendering."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.engine import flow, lint_text
from surveyapp.engine.messages import FieldError, message_text
from surveyapp.engine.problems import SchemaError

from .conftest import make_survey, schema_text

AGE_TENURE = """\
- id: p0
  questions:
    - {id: birth, type: integer, min: 1900, max: 2010, text: {fr: "Naissance", en: "Birth"}}
- id: p1
  checks:
    - condition: {q: share_total, eq: 100}
      message:
        fr: "Les parts doivent faire 100 % au total."
        en: "The shares must add up to 100%."
      question: share_b
  questions:
    - id: age
      type: integer
      min: 18
      max: 99
      text: {fr: "Âge", en: "Age"}
      constraint_message: {fr: "Un âge de 18 à 99 ans.", en: "An age from 18 to 99."}
    - id: tenure
      type: integer
      min: 0
      text: {fr: "Ancienneté", en: "Tenure"}
      checks:
        - condition: {q: tenure, lte: {q: age}}
          message: {fr: "L’ancienneté dépasse votre âge.", en: "Your tenure exceeds your age."}
    - {id: share_a, type: integer, min: 0, max: 100, text: {fr: "Part A", en: "Share A"}}
    - {id: share_b, type: integer, min: 0, max: 100, text: {fr: "Part B", en: "Share B"}}
    - id: why
      type: text
      text: {fr: "Pourquoi ?", en: "Why?"}
      required_when: {any: [{q: tenure, gte: 40}, {q: birth, lt: 1950}]}
    - id: code
      type: text
      pattern: '^[0-9]{5}$'
      text: {fr: "Code postal", en: "Postcode"}
      constraint_message: {fr: "Cinq chiffres.", en: "Five digits."}
"""
DERIVED = """\
- id: share_total
  type: number
  calc: "share_a + share_b"
"""


@pytest.fixture(scope="module")
def survey():
    return make_survey(AGE_TENURE, derived=DERIVED)


def post(**fields: object) -> dict[str, list[str]]:
    base = {"age": "40", "tenure": "10", "share_a": "60", "share_b": "40"}
    base.update({k: str(v) for k, v in fields.items() if v is not None})
    return {k: [v] for k, v in base.items() if k not in [f for f, v in fields.items() if v is None]}


def errors(survey, form, answers=None) -> dict[str, tuple[str, str | None]]:
    result = flow.validate_page(survey, "p1", form, answers or {"birth": 1980})
    return {e.field: (e.code, e.text["en"] if e.text else None) for e in result.errors}


def test_a_valid_page_passes(survey):
    assert errors(survey, post()) == {}


def test_a_question_check_fails_next_to_its_question(survey):
    assert errors(survey, post(tenure=45)) == {
        "tenure": ("check_failed", "Your tenure exceeds your age."),
        "why": ("required", None),  # required_when: tenure >= 40
    }


def test_a_page_check_reads_a_calculation_and_shows_at_its_question(survey):
    assert errors(survey, post(share_b=30)) == {
        "share_b": ("check_failed", "The shares must add up to 100%.")
    }


def test_a_check_waits_for_the_answers_it_reads_to_be_valid(survey):
    # age is out of range: its own (custom) message, and no tenure check on a broken age
    assert errors(survey, post(age=12, tenure=30)) == {
        "age": ("too_small", "An age from 18 to 99.")
    }


def test_a_page_check_waits_for_the_answers_its_calculation_reads(survey):
    # share_b is not a number: its own error only, not "must add up to 100" as well
    assert errors(survey, post(share_b="forty")) == {"share_b": ("not_an_integer", None)}
    assert errors(survey, post(share_a="150")) == {"share_a": ("too_large", None)}


def test_a_question_check_is_not_run_on_a_blank_answer(survey):
    form = post()
    del form["tenure"]
    assert errors(survey, form) == {"tenure": ("required", None)}  # required, not the check


def test_required_when_reads_earlier_pages_and_this_page(survey):
    assert errors(survey, post(), {"birth": 1940}) == {"why": ("required", None)}
    assert errors(survey, post(why="raisons"), {"birth": 1940}) == {}
    assert errors(survey, post(), {"birth": 1990}) == {}


def test_pattern_errors_carry_the_custom_message(survey):
    assert errors(survey, post(code="7500")) == {"code": ("pattern_mismatch", "Five digits.")}
    error = FieldError("code", "pattern_mismatch", text={"fr": "Cinq chiffres.", "en": "Five."})
    assert message_text(error, str, lang="fr") == "Cinq chiffres."
    assert message_text(error, str, lang="en") == "Five."
    assert message_text(FieldError("code", "pattern_mismatch"), str).startswith("This answer")


def test_the_page_shows_required_when_as_known_now(survey):
    view = flow.render_page(survey, "p1", {"birth": 1940}, "s", "fr")
    assert next(q for q in view.questions if q.id == "why").required
    view = flow.render_page(survey, "p1", {"birth": 1990}, "s", "fr")
    assert not next(q for q in view.questions if q.id == "why").required


@given(age=st.integers(18, 99), tenure=st.integers(0, 150), a=st.integers(0, 100))
def test_checks_agree_with_arithmetic(age, tenure, a):
    survey = make_survey(AGE_TENURE, derived=DERIVED)
    found = errors(survey, post(age=age, tenure=tenure, share_a=a, share_b=100 - a, why="x"))
    assert ("tenure" in found) == (tenure > age)
    assert "share_b" not in found


@given(a=st.integers(0, 100), b=st.integers(0, 100))
def test_the_sum_check_fails_exactly_when_the_sum_is_not_100(a, b):
    survey = make_survey(AGE_TENURE, derived=DERIVED)
    found = errors(survey, post(share_a=a, share_b=b))
    assert ("share_b" in found) == (a + b != 100)


# ---------------------------------------------------------------------- load errors
def problems(pages: str, derived: str = DERIVED) -> list[str]:
    with pytest.raises(SchemaError) as info:
        make_survey(pages, derived=derived)
    return [f"{p.line}:{p.path}: {p.message}" for p in info.value.problems]


def test_a_message_missing_a_language_is_a_located_error():
    pages = AGE_TENURE.replace(', en: "Your tenure exceeds your age."', "")
    found = problems(pages)
    assert any("missing 'en' translation" in p and "checks[0].message" in p for p in found)
    line = next(p for p in found if "missing 'en'" in p).split(":")[0]
    assert int(line) > 1


def test_checks_reference_known_ids_of_fitting_types_on_earlier_or_this_page():
    found = problems(AGE_TENURE.replace("{q: tenure, lte: {q: age}}", "{q: tenur, lte: {q: age}}"))
    assert any("tenur" in p and "checks[0].condition" in p for p in found), found
    found = problems(AGE_TENURE.replace("{q: tenure, lte: {q: age}}", "{q: why, lte: 3}"))
    assert any("why" in p for p in found), found
    later = (
        AGE_TENURE
        + """\
- id: p2
  questions:
    - {id: late, type: integer, text: {fr: "Tard", en: "Late"}}
"""
    )
    found = problems(later.replace("{q: tenure, lte: {q: age}}", "{q: tenure, lte: {q: late}}"))
    assert any("later page ('p2')" in p for p in found), found


def test_page_check_question_must_be_on_the_page():
    found = problems(AGE_TENURE.replace("question: share_b", "question: birth"))
    assert any("question 'birth' is not on this page" in p for p in found), found


def test_required_and_required_when_together_are_refused():
    pages = AGE_TENURE.replace("      required_when:", "      required: true\n      required_when:")
    assert any("either required or required_when" in p for p in problems(pages))


def test_constraint_message_needs_something_to_explain():
    pages = AGE_TENURE.replace(
        '{id: share_a, type: integer, min: 0, max: 100, text: {fr: "Part A", en: "Share A"}}',
        '{id: share_a, type: single, text: {fr: "A", en: "A"}, options: [{code: 1, '
        'label: {fr: "Un", en: "One"}}], constraint_message: {fr: "x", en: "y"}}',
    )
    assert any("constraint_message needs" in p for p in problems(pages, ""))


def test_the_linter_reports_the_same_errors():
    text = schema_text(AGE_TENURE.replace("{q: tenure, lte", "{q: tenur, lte"), derived=DERIVED)
    report = lint_text(text)
    assert not report.ok
    assert any("tenur" in p.message for p in report.problems)


# ---------------------------------------------------------------------- don't know
DK = """\
- id: p1
  questions:
    - id: staff
      type: integer
      min: 0
      max: 5000
      text: {fr: "Effectif", en: "Headcount"}
      dont_know: {code: 99999, label: {fr: "Je ne sais pas", en: "Don't know"}}
- id: p2
  when: {q: staff, gte: 100}
  questions:
    - {id: big, type: text, text: {fr: "Grand", en: "Big"}}
"""


def test_dont_know_stores_its_code_and_is_no_number_for_conditions():
    survey = make_survey(DK)
    result = flow.validate_page(survey, "p1", {"staff_dk": ["1"]}, {})
    assert result.ok
    assert result.values == {"staff": 99999}
    answers = flow.apply_page(survey, "p1", result.values, {})
    assert answers["staff"] == 99999  # stored as the code
    assert flow.next_step(survey, "p1", answers) != flow.NextPage("p2")  # 99999 >= 100: not so
    view = flow.render_page(survey, "p1", answers, "s", "fr")
    assert view.questions[0].dont_know == "Je ne sais pas"
    assert view.questions[0].dont_know_checked
    assert view.questions[0].value is None


def test_dont_know_with_a_number_is_an_error_in_words():
    survey = make_survey(DK)
    result = flow.validate_page(survey, "p1", {"staff": ["12"], "staff_dk": ["1"]}, {})
    assert [e.code for e in result.errors] == ["dont_know_and_number"]
    error = FieldError("staff", "dont_know_and_number", {"label": "Je ne sais pas"})
    text = message_text(error, str)
    assert "Je ne sais pas" in text
    tampered = flow.validate_page(survey, "p1", {"staff_dk": ["yes"]}, {})
    assert not tampered.ok
    assert "staff" not in tampered.values


def test_dont_know_required_still_needs_an_answer_or_the_box():
    survey = make_survey(DK)
    assert [e.code for e in flow.validate_page(survey, "p1", {}, {}).errors] == ["required"]


@pytest.mark.parametrize(
    ("bounds", "code", "ok"),
    [("min: 0", -99, True), ("max: 90", 98, True), ("min: 0, max: 120", 98, False),
     ("", 98, False), ("min: 0", 5, False)],
)  # fmt: skip
def test_the_code_cannot_be_typed_as_an_answer(bounds, code, ok):
    pages = f"""\
- id: p1
  questions:
    - {{id: n, type: integer, {bounds + ", " if bounds else ""}text: {{fr: "N", en: "N"}},
       dont_know: {{code: {code}, label: {{fr: "Je ne sais pas", en: "Don't know"}}}}}}
"""
    if ok:
        assert make_survey(pages).dont_know == {"n": code}
    else:
        with pytest.raises(SchemaError, match="could also be typed"):
            make_survey(pages)


def test_the_barometer_still_loads(barometer):
    assert barometer.dont_know == {}
    assert all(not q.checks and q.required_when is None for q in barometer.questions.values())
