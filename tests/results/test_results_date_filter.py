"""The results page's date filters as day, month and year fields in the admin's language: the
form's fields become `from=YYYY-MM-DD` in one redirect; a date that is not one is dropped and
said in words (a flash), never a 400 or a 500."""

from __future__ import annotations

import html as htmlmod
import re
from urllib.parse import parse_qs, urlsplit

import pytest

BASE = "/admin/surveys/barometre-2015/results"


def filter_inputs(page: str, name: str) -> list[tuple[str, str]]:
    """(name, value) of a date filter's fields, in the order shown."""
    fieldset = re.search(
        rf'<fieldset class="field date-filter" id="{name}">(.*?)</fieldset>', page, re.S
    )
    assert fieldset, f"no {name} date filter"
    return re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"', fieldset[1])


@pytest.mark.parametrize(
    ("lang", "order", "legend"),
    [
        ("fr", ["day", "month", "year"], "Terminées du"),
        ("en", ["month", "day", "year"], "Completed from"),
    ],
)
def test_fields_in_the_admins_language(baro, as_role, lang, order, legend):
    page = as_role("analyst", lang).get(f"{BASE}?from=2026-03-05").get_data(as_text=True)
    assert 'type="date"' not in page
    shown = filter_inputs(page, "from")
    assert [name for name, _ in shown] == [f"from.{part}" for part in order]
    assert dict(shown) == {"from.day": "5", "from.month": "3", "from.year": "2026"}
    assert f"<legend>{legend}</legend>" in page
    assert [v for _, v in filter_inputs(page, "to")] == ["", "", ""]


def test_typed_dates_become_iso_in_one_redirect(baro, as_role):
    client = as_role("analyst", "en")
    query = "from.month=1&from.day=2&from.year=2030&to.day=&to.month=&to.year=&language=en"
    response = client.get(f"{BASE}?{query}")
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert target.path == BASE
    assert parse_qs(target.query) == {"from": ["2030-01-02"], "language": ["en"]}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 responses" in page


@pytest.mark.parametrize(
    ("lang", "typed", "said"),
    [
        (
            "fr",
            "from.day=31&from.month=2&from.year=2026",
            "Terminées du — Cette date n’existe pas : 31/02.",
        ),
        (
            "en",
            "to.day=31&to.month=2&to.year=2026",
            "Completed until — This date does not exist: 2/31.",
        ),
        ("en", "from.day=3&from.month=&from.year=2026", "Completed from — Please enter the month."),
        (
            "fr",
            "from.day=x&from.month=2&from.year=2026",
            "Terminées du — Veuillez saisir le jour, le mois et l’année en chiffres.",
        ),
        (
            "en",
            "from.day=1&from.day=2&from.month=2&from.year=2026",
            "Completed from — Only one answer can be sent",
        ),
        (
            "en",
            "from.day=" + "9" * 3000 + "&from.month=2&from.year=2026",
            "Completed from — Please enter the day",
        ),
    ],
)
def test_a_date_that_is_not_one_is_dropped_and_said(baro, as_role, lang, typed, said):
    client = as_role("analyst", lang)
    response = client.get(f"{BASE}?{typed}&status=complete")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "from" not in parse_qs(urlsplit(location).query)
    assert "to" not in parse_qs(urlsplit(location).query)
    page = client.get(location)
    assert page.status_code == 200
    text = " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))).split())
    assert said in text.replace("\u00a0", " ").replace("\u202f", " ")
