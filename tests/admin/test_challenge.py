"""The optional proof-of-work on the consent page (issue #16 point 4 b): verified on the
server, one solution starts one response, and a respondent without JavaScript gets through
after a short wait."""

from __future__ import annotations

import json
from html import unescape

import altcha
import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Response, Survey
from tests.respondent.helpers import Respondent, parse_form

FIRST_PAGE = {"q1": "1", "region": "1"}


@pytest.fixture
def challenged(app, demo_survey):
    app.config.update(RESPONDENT_CHALLENGE=True, RESPONDENT_CHALLENGE_MAX_NUMBER=2000)
    with app.app_context():
        db.session.get(Survey, demo_survey.id).state = "open"
        db.session.commit()
    return demo_survey


def _responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def _consent(app, lang: str = "en") -> Respondent:
    r = Respondent(app.test_client(), slug="demo", headers={"Accept-Language": lang})
    r.start()
    assert r.status == 200
    return r


def _solve(r: Respondent) -> tuple[str, str]:
    (control,) = [c for c in parse_form(r.html).controls if c.name == "_challenge"]
    public = json.loads(unescape(r.html.split('data-challenge="', 1)[1].split('"', 1)[0]))
    solution = altcha.solve_challenge_v1(public["challenge"], public["salt"], max_number=2000)
    assert solution is not None
    return control.value, str(solution.number)


def _body(r: Respondent, **fields: str) -> list[tuple[str, str]]:
    body = [(k, v) for k, v in r.form_for(FIRST_PAGE) if k not in fields]
    return body + list(fields.items())


def test_the_consent_page_carries_a_challenge_and_its_script(app, challenged):
    html = _consent(app).html
    assert 'name="_challenge"' in html
    assert 'name="_pow" value=""' in html
    assert "/static/respondent-pow.js" in html


def test_a_solved_challenge_starts_one_response_and_cannot_be_replayed(app, challenged):
    r = _consent(app)
    token, number = _solve(r)
    assert r.post(_body(r, _challenge=token, _pow=number)).status_code == 303
    assert _responses(app) == 1
    other = _consent(app)
    replay = other.post(_body(other, _challenge=token, _pow=number))
    assert replay.status_code == 422
    assert _responses(app) == 1


@pytest.mark.parametrize("number", ["1", "x", "99999999"])
def test_a_wrong_solution_is_refused_and_nothing_is_stored(app, challenged, number):
    r = _consent(app)
    token, right = _solve(r)
    if number == right:
        number = str(int(right) + 1)
    response = r.post(_body(r, _challenge=token, _pow=number))
    assert response.status_code == 422
    assert _responses(app) == 0


def test_a_forged_challenge_is_refused(app, challenged):
    r = _consent(app)
    token, number = _solve(r)
    response = r.post(_body(r, _challenge=token[:-2] + "xx", _pow=number))
    assert response.status_code == 422
    assert _responses(app) == 0


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "Please wait a few seconds"), ("fr", "Veuillez patienter quelques secondes")],
)
def test_without_javascript_a_quick_post_is_asked_to_wait(app, challenged, lang, message):
    r = _consent(app, lang)
    token, _number = _solve(r)
    response = r.post(_body(r, _challenge=token, _pow=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'name="_challenge"' in html  # a fresh challenge to post again
    assert _responses(app) == 0


def test_without_javascript_a_post_after_the_wait_gets_through(app, challenged):
    app.config["RESPONDENT_CHALLENGE_WAIT"] = 0
    r = _consent(app)
    token, _number = _solve(r)
    assert r.post(_body(r, _challenge=token, _pow="")).status_code == 303
    assert _responses(app) == 1


def test_no_challenge_when_it_is_off(app, demo_survey):
    with app.app_context():
        db.session.get(Survey, demo_survey.id).state = "open"
        db.session.commit()
    assert 'name="_challenge"' not in _consent(app).html
