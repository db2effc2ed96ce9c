"""Date questions as three labelled fields (day, month, year) in the page language's order.

Test client with CSRF on: the fields and their order in French and English, the ISO storage,
each mistake's message in words with the typed values kept, tampered posts (a 422 page back,
nothing stored) and a stored date shown again when the respondent comes back to the page.
"""

from __future__ import annotations

import html as htmlmod
import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from surveyapp.typography import NBSP
from tests.respondent.helpers import Respondent

DATED = """
schema_version: 1
survey:
  id: dated
  version: "1"
  languages: [fr, en]
  default_language: fr
  title: {fr: "Dates", en: "Dates"}
pages:
  - id: p1
    questions:
      - id: born
        type: date
        min: '1900-01-01'
        max: '2010-12-31'
        text: {fr: "Votre date de naissance ?", en: "Your date of birth?"}
  - id: p2
    questions:
      - id: ok
        type: single
        text: {fr: "Prêt ?", en: "Ready?"}
        options:
          - {code: 1, label: {fr: "Oui", en: "Yes"}}
endings:
  - id: done
    status: complete
    default: true
    message: {fr: "Merci !", en: "Thank you!"}
"""


@pytest.fixture
def dated(app):
    with app.app_context():
        result = surveys.load_schema_text(db.session, DATED, "dated.yaml", Actor.cli())
        surveys.set_state(db.session, result.survey, "open", Actor.cli())


def on_date_page(client, lang: str) -> Respondent:
    r = Respondent(client, slug="dated", headers={"Accept-Language": lang})
    r.start(f"?lang={lang}")
    assert r.page_id == "p1", r.url
    return r


def stored(app) -> Response | None:
    with app.app_context():
        return db.session.scalars(select(Response)).one_or_none()


def text_of(page: str) -> str:
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def date_inputs(page: str) -> list[dict[str, str]]:
    """The attributes of the page's date inputs, in document order."""
    found = re.findall(r"<input ([^>]*name=\"born\.[a-z]+\"[^>]*)>", page)
    return [dict(re.findall(r'([a-z-]+)="([^"]*)"', attrs)) for attrs in found]


def post_date(r: Respondent, day: str, month: str, year: str):
    body = [*r.hidden().items(), ("born.day", day), ("born.month", month), ("born.year", year)]
    return r.post(body)


@pytest.mark.parametrize(
    ("lang", "order", "labels"),
    [
        ("fr", ["day", "month", "year"], ["Jour", "Mois", "Année"]),
        ("en", ["month", "day", "year"], ["Month", "Day", "Year"]),
    ],
)
def test_three_labelled_fields_in_the_language_order(client, dated, lang, order, labels):
    r = on_date_page(client, lang)
    assert 'type="date"' not in r.html
    inputs = date_inputs(r.html)
    assert [i["name"] for i in inputs] == [f"born.{part}" for part in order]
    for attrs in inputs:
        assert attrs["type"] == "text"
        assert attrs["inputmode"] == "numeric"
        assert attrs["autocomplete"] == "off"
        label = re.search(rf'<label for="{attrs["id"]}"[^>]*>([^<]+)</label>', r.html)
        assert label, attrs["id"]
    shown = [re.search(rf'<label for="{i["id"]}"[^>]*>([^<]+)</label>', r.html)[1] for i in inputs]
    assert shown == labels
    fieldset = re.search(r'<fieldset class="r-q r-date"[^>]*>\s*<legend>([^<]+)', r.html)
    assert fieldset
    assert "date" in fieldset[1].lower()


def test_a_date_is_stored_as_iso(app, client, dated):
    r = on_date_page(client, "fr")
    response = post_date(r, "3", "2", "1980")
    assert response.status_code == 303
    assert stored(app).answers["born"] == "1980-02-03"
    r.get(response.headers["Location"])
    assert r.page_id == "p2"
    back = r.post([*r.hidden().items()], "back")  # Back: the stored date in its fields
    assert back.status_code == 303
    r.get(back.headers["Location"])
    assert r.page_id == "p1"
    values = {i["name"]: i["value"] for i in date_inputs(r.html)}
    assert values == {"born.day": "3", "born.month": "2", "born.year": "1980"}


@pytest.mark.parametrize(
    ("lang", "typed", "message"),
    [
        ("fr", ("31", "2", "1980"), "Cette date n’existe pas : 31/02."),
        ("en", ("31", "2", "1980"), "This date does not exist: 2/31."),
        ("fr", ("29", "02", "1981"), "Cette date n’existe pas : 29/02/1981."),
        ("en", ("29", "2", "1981"), "This date does not exist: 2/29/1981."),
        ("fr", ("0", "5", "1980"), "Cette date n’existe pas : 00/05."),
        ("fr", ("", "2", "1980"), "Veuillez saisir le jour."),
        ("en", ("3", "", "1980"), "Please enter the month."),
        ("fr", ("3", "2", ""), "Veuillez saisir l’année."),
        ("fr", ("3", "", ""), "Veuillez saisir le jour, le mois et l’année."),
        ("fr", ("3", "13", "1980"), "Veuillez saisir un mois de 1 à 12."),
        ("fr", ("3", "2", "80"), "Veuillez saisir l’année sur quatre chiffres, par exemple 1987."),
        ("fr", ("trois", "2", "1980"), "Veuillez saisir le jour, le mois et l’année en chiffres."),
        ("en", ("3", "2", "１９８０"), "Please enter the day, the month and the year in figures."),
        ("fr", ("1", "1", "2020"), "Veuillez saisir une date au plus tard le 31 décembre 2010."),
        ("en", ("1", "1", "2020"), "Please enter a date on or before December 31, 2010."),
        ("fr", ("31", "12", "1899"), "Veuillez saisir une date à partir du 1er janvier 1900."),
    ],
)
def test_each_mistake_in_words_and_the_typed_values_kept(app, client, dated, lang, typed, message):
    r = on_date_page(client, lang)
    response = post_date(r, *typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in text_of(page).replace(NBSP, " ").replace("\u202f", " ")
    values = {i["name"]: i["value"] for i in date_inputs(page)}
    assert values == dict(zip(["born.day", "born.month", "born.year"], typed, strict=True))
    assert all(i.get("aria-invalid") == "true" for i in date_inputs(page))
    assert 'href="#f-born-' in page  # the error summary links to the first field
    row = stored(app)
    assert row is None or "born" not in (row.answers or {})


def test_a_required_date_left_blank(client, dated):
    r = on_date_page(client, "fr")
    response = post_date(r, " ", "", "")
    assert response.status_code == 422
    assert "Veuillez répondre à cette question." in text_of(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "body",
    [
        [("born.day", "3"), ("born.day", "4"), ("born.month", "2"), ("born.year", "1980")],
        [("born.day", "3" * 5000), ("born.month", "2"), ("born.year", "1980")],
        [("born.day", "3"), ("born.month", "2"), ("born.year", "1980"), ("born.hour", "1")],
        [("born.day", "3\x00"), ("born.month", "2"), ("born.year", "1980")],
        [("born.day", "-3"), ("born.month", "2"), ("born.year", "1980")],
        [("born.day", "3"), ("born.month", "2"), ("born.year", "19800")],
        [("born", "1980-02-30")],
        [("born", "3/2/1980")],
    ],
)
def test_tampered_dates_get_the_page_back_and_store_nothing(app, client, dated, body):
    r = on_date_page(client, "en")
    response = r.post([*r.hidden().items(), *body])
    assert response.status_code == 422
    row = stored(app)
    assert row is None or "born" not in (row.answers or {})


def test_an_iso_date_posted_by_a_client_is_still_accepted(app, client, dated):
    r = on_date_page(client, "en")
    response = r.post([*r.hidden().items(), ("born", "1980-02-03")])
    assert response.status_code == 303
    assert stored(app).answers["born"] == "1980-02-03"


def test_without_the_csrf_token_nothing_is_stored(app, client, dated):
    r = on_date_page(client, "fr")
    body = [(k, v) for k, v in r.hidden().items() if k != "csrf_token"]
    response = r.post([*body, ("born.day", "3"), ("born.month", "2"), ("born.year", "1980")])
    assert 400 <= response.status_code < 500
    row = stored(app)
    assert row is None or "born" not in (row.answers or {})
