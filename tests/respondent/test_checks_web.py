"""Cross-question checks, required_when, constraint messages and "don't know" over HTTP (CSRF on):
a failed check is the page again (422) with its message in the respondent's language next to the
question and every answer kept; tampered posts are a 4xx or the page again, never stored."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from tests.respondent.helpers import Respondent, parse_form

SLUG = "checks"
SCHEMA = textwrap.dedent(
    """\
    schema_version: 1
    survey:
      id: checks
      version: "1"
      languages: [fr, en]
      default_language: fr
      title: {fr: "Contrôles", en: "Checks"}
    derived:
      - id: share_total
        type: number
        calc: "share_a + share_b"
    pages:
      - id: p1
        checks:
          - condition: {q: share_total, eq: 100}
            message:
              fr: "Les deux parts doivent faire 100 % au total."
              en: "The two shares must add up to 100%."
        questions:
          - {id: age, type: integer, min: 18, max: 99, text: {fr: "Votre âge ?", en: "Your age?"}}
          - id: tenure
            type: integer
            min: 0
            max: 99
            text: {fr: "Depuis combien d'années exercez-vous ?", en: "Years in the job?"}
            checks:
              - condition: {q: tenure, lte: {q: age}}
                message:
                  fr: "Votre ancienneté ne peut pas dépasser votre âge."
                  en: "Your years in the job cannot exceed your age."
          - id: staff
            type: integer
            min: 0
            max: 100000
            text: {fr: "Effectif de l'entreprise ?", en: "Company headcount?"}
            dont_know: {code: 999999, label: {fr: "Je ne sais pas", en: "Don't know"}}
          - {id: share_a, type: integer, min: 0, max: 100, text: {fr: "Part A (%)", en: "A (%)"}}
          - {id: share_b, type: integer, min: 0, max: 100, text: {fr: "Part B (%)", en: "B (%)"}}
          - id: why
            type: text
            text: {fr: "Pourquoi une si longue carrière ?", en: "Why such a long career?"}
            required_when: {q: tenure, gte: 40}
          - id: zip
            type: text
            pattern: '^[0-9]{5}$'
            text: {fr: "Code postal", en: "Postcode"}
            constraint_message:
              fr: "Cinq chiffres, par exemple 75011."
              en: "Five digits, for example 75011."
      - id: p2
        questions:
          - {id: done, type: text, text: {fr: "Un mot ?", en: "A word?"}}
    endings:
      - id: end_complete
        status: complete
        default: true
        message: {fr: "Merci", en: "Thanks"}
    """
)
GOOD = {"age": "40", "tenure": "10", "staff": "120", "share_a": "60", "share_b": "40", "why": "",
        "zip": "75011"}  # fmt: skip


def open_survey(app, tmp_path: Path) -> None:
    path = tmp_path / "checks.yaml"
    path.write_text(SCHEMA, encoding="utf-8")
    with app.app_context():
        result = surveys.load_schema_file(db.session, path, Actor.cli())
        surveys.set_state(db.session, result.survey, "open", Actor.cli())


def stored(app) -> list[dict]:
    with app.app_context():
        return [r.answers for r in db.session.scalars(select(Response)).all()]


def respondent(client, lang: str) -> Respondent:
    r = Respondent(client, SLUG, {"Accept-Language": lang})
    r.start()
    assert r.page_id == "p1", r.html[:500]
    return r


def body(r: Respondent, values: dict[str, str], extra=()) -> list[tuple[str, str]]:
    return [*r.hidden().items(), *values.items(), *extra]


def error_texts(html: str) -> list[str]:
    import re

    found = re.findall(r'class="r-err"[^>]*>(.*?)</p>', html)
    return [re.sub(r"<[^>]+>", "", m).split(":", 1)[-1].strip() for m in found]


@pytest.mark.parametrize(
    ("lang", "message"),
    [("fr", "Votre ancienneté ne peut pas dépasser votre âge."),
     ("en", "Your years in the job cannot exceed your age.")],
)  # fmt: skip
def test_a_failed_check_is_the_page_again_with_its_message_and_the_answers(
    app, client, tmp_path, lang, message
):
    open_survey(app, tmp_path)
    r = respondent(client, lang)
    response = r.post(body(r, {**GOOD, "tenure": "45", "why": "passion"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    texts = error_texts(html)
    assert any(t.endswith(message.replace("'", "’")) or message in t for t in texts), texts
    # next to the question: inside its block, before the next question
    block = html[html.index('id="q-tenure"') : html.index('id="q-staff"')]
    assert 'id="e-tenure"' in block
    values = {c.name: c.value for c in parse_form(html).controls}
    assert values["tenure"] == "45"
    assert values["age"] == "40"
    assert values["why"] == "passion"
    assert stored(app) == [] or all("tenure" not in a for a in stored(app))


def test_page_check_required_when_and_constraint_message(app, client, tmp_path):
    open_survey(app, tmp_path)
    r = respondent(client, "en")
    html = r.post(body(r, {**GOOD, "share_b": "30"})).get_data(as_text=True)
    assert "The two shares must add up to 100%." in error_texts(html)
    html = r.post(body(r, {**GOOD, "tenure": "40"})).get_data(as_text=True)
    assert any("Please answer this question." in t for t in error_texts(html))
    html = r.post(body(r, {**GOOD, "zip": "7501"})).get_data(as_text=True)
    assert any("Five digits, for example 75011." in t for t in error_texts(html))
    response = r.post(body(r, GOOD))
    assert response.status_code == 303
    (answers,) = stored(app)
    assert answers["tenure"] == 10
    assert answers["share_a"] == 60


def test_dont_know_box_stores_its_code_and_refuses_a_number_too(app, client, tmp_path):
    open_survey(app, tmp_path)
    r = respondent(client, "fr")
    boxes = [c for c in r.fields() if c.name == "staff_dk"]
    assert [(b.type, b.value) for b in boxes] == [("checkbox", "1")]
    assert "Je ne sais pas" in r.html
    response = r.post(body(r, GOOD, [("staff_dk", "1")]))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert any("«\u202fJe ne sais pas\u202f»" in t for t in error_texts(html)), error_texts(html)
    assert stored(app) == [] or all("staff" not in a for a in stored(app))
    response = r.post(body(r, {**GOOD, "staff": ""}, [("staff_dk", "1")]))
    assert response.status_code == 303
    (answers,) = stored(app)
    assert answers["staff"] == 999999
    # back on the page: the box is ticked and the number field empty
    r.get(response.headers["Location"])
    assert r.page_id == "p2"
    back = r.post(r.form_for({}), action="back")
    r.get(back.headers["Location"])
    assert r.page_id == "p1"
    box = next(c for c in r.fields() if c.name == "staff_dk")
    assert box.checked
    assert next(c for c in r.fields() if c.name == "staff").value == ""


@pytest.mark.parametrize(
    "extra",
    [[("staff_dk", "2")], [("staff_dk", "1"), ("staff_dk", "1")], [("tenure", "3")],
     [("share_total", "100")]],
)  # fmt: skip
def test_tampered_posts_are_refused_and_nothing_invalid_is_stored(app, client, tmp_path, extra):
    open_survey(app, tmp_path)
    r = respondent(client, "fr")
    values = {**GOOD, "tenure": "45"} if extra == [("tenure", "3")] else GOOD
    response = r.post(body(r, values, extra))
    assert 400 <= response.status_code < 500
    for answers in stored(app):
        assert "staff" not in answers or answers["staff"] in (None, 999999)
        assert "tenure" not in answers or answers["tenure"] <= answers["age"]
