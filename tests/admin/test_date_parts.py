"""Admin date fields (fieldwork window, response filter) as day, month and year fields in the
admin's language's order, never the browser's date inputs; mistakes in words, values kept,
nothing stored; an ISO value (old links, scripts) still accepted."""

from __future__ import annotations

import html as htmlmod
import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Survey
from tests.admin.helpers import add_response, clients_by_language, csrf_from


@pytest.fixture
def clients(app, make_user):
    return clients_by_language(app, make_user, "study", prefix="study-")


def names_in(page: str, fieldset_id: str) -> list[tuple[str, str]]:
    found = re.search(
        rf'<fieldset class="[^"]*date-filter[^"]*" id="{fieldset_id}">(.*?)</fieldset>', page, re.S
    )
    assert found, f"no {fieldset_id} fieldset"
    return re.findall(r'name="([^"]+)" value="([^"]*)"', found[1])


def text_of(page: str) -> str:
    text = htmlmod.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def opens_at(app):
    with app.app_context():
        return db.session.scalars(select(Survey.opens_at)).one()


@pytest.mark.parametrize(
    ("lang", "order", "legend"),
    [
        ("fr", ["day", "month", "year", "time"], "Date d’ouverture"),
        ("en", ["month", "day", "year", "time"], "Opens at"),
    ],
)
def test_window_fields_in_the_admins_language(demo_survey, clients, lang, order, legend):
    page = clients[lang].get("/admin/surveys/demo").get_data(as_text=True)
    assert "datetime-local" not in page
    assert 'type="date"' not in page
    assert [name for name, _ in names_in(page, "opens_at")] == [f"opens_at.{p}" for p in order]
    assert f"<legend>{legend}</legend>" in page


def post_window(client, data):
    token = csrf_from(client.get("/admin/surveys/demo").data)
    return client.post("/admin/surveys/demo/window", data={"csrf_token": token, **data})


def test_window_typed_in_parts_is_stored(app, demo_survey, clients):
    parts = {
        "opens_at.day": "1",
        "opens_at.month": "3",
        "opens_at.year": "2026",
        "opens_at.time": "9h30",
    }
    closes = {
        "closes_at.day": "31",
        "closes_at.month": "3",
        "closes_at.year": "2026",
        "closes_at.time": "18:00",
    }
    assert post_window(clients["fr"], {**parts, **closes}).status_code == 303
    page = clients["fr"].get("/admin/surveys/demo").get_data(as_text=True)
    assert dict(names_in(page, "opens_at")) == {
        "opens_at.day": "1",
        "opens_at.month": "3",
        "opens_at.year": "2026",
        "opens_at.time": "09:30",
    }
    stored = opens_at(app)
    assert stored is not None


@pytest.mark.parametrize(
    ("lang", "typed", "said"),
    [
        (
            "fr",
            {"opens_at.day": "31", "opens_at.month": "2", "opens_at.year": "2026"},
            "Cette date n’existe pas : 31/02.",
        ),
        (
            "en",
            {"opens_at.day": "31", "opens_at.month": "2", "opens_at.year": "2026"},
            "This date does not exist: 2/31.",
        ),
        (
            "fr",
            {
                "opens_at.day": "1",
                "opens_at.month": "2",
                "opens_at.year": "2026",
                "opens_at.time": "25:00",
            },
            "Veuillez saisir une heure, par exemple 14:30.",
        ),
        (
            "en",
            {"opens_at.day": "1", "opens_at.month": "", "opens_at.year": "2026"},
            "Please enter the month.",
        ),
        (
            "en",
            {"opens_at.day": "1" * 5000, "opens_at.month": "2", "opens_at.year": "2026"},
            "in figures",
        ),
        ("en", {"opens_at.time": "10:00"}, "Please enter the day, the month and the year."),
    ],
)
def test_window_mistakes_in_words_and_nothing_stored(app, demo_survey, clients, lang, typed, said):
    response = post_window(clients[lang], typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert said in text_of(page)
    kept = dict(names_in(page, "opens_at"))
    for name, value in typed.items():
        assert kept[name] == value[:20]
    assert opens_at(app) is None


def test_response_filter_in_parts(app, demo_survey, clients):
    from datetime import UTC, datetime

    early = add_response(app, demo_survey, started_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    late = add_response(app, demo_survey, started_at=datetime(2026, 1, 17, 9, tzinfo=UTC))
    base = "/admin/surveys/demo/responses"
    client = clients["en"]
    page = client.get(
        f"{base}?started_from.month=1&started_from.day=15&started_from.year=2026"
    ).get_data(as_text=True)
    assert [name for name, _ in names_in(page, "started_from")] == [
        "started_from.month",
        "started_from.day",
        "started_from.year",
    ]
    assert f"/responses/{late}" in page
    assert f"/responses/{early}" not in page
    bad = client.get(f"{base}?started_from.month=2&started_from.day=30&started_from.year=2026")
    assert bad.status_code == 422
    assert "This date does not exist: 2/30." in text_of(bad.get_data(as_text=True))
