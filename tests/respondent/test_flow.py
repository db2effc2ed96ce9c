"""The barometer end to end through the test client (no JavaScript), in both languages."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Contact, Response
from surveyapp.typography import typeset
from tests.respondent.helpers import (
    AMERICAN_USER,
    CANADIAN,
    EVERY_USER_PAGE,
    FRENCH_USER,
    NON_USER,
    SCREENED_OUT,
    SLUG,
    Respondent,
    db_dump,
    shown_code,
)

FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def only_response(app) -> Response:
    with app.app_context():
        return db.session.scalars(select(Response)).one()


def test_french_user_completes_the_barometer(client, app, barometer):
    r = Respondent(client, headers=FR)
    pages = r.complete(FRENCH_USER, "?src=adetem&utm_campaign=x")
    assert r.url == f"/s/{SLUG}/end"
    assert '<html lang="fr">' in r.html
    assert "Merci pour votre participation" in r.html
    response = only_response(app)
    assert (response.status, response.ending_id, response.language) == (
        "complete",
        "end_complete",
        "fr",
    )
    assert response.params == {"source": "1"}  # declared and aliased; utm_campaign ignored
    assert response.answers["q17"] == {"a": "1", "b": "2", "c": "3"}
    assert "q23_email" not in response.answers
    assert pages[0] == "p01"
    assert pages[-1] == "p29"
    assert "p03" not in pages
    assert "p09" not in pages
    with app.app_context():
        contact = db.session.scalars(select(Contact)).one()
    assert (contact.email, contact.requests) == ("nom@entreprise.fr", {"q23": ["1"]})


def test_american_user_completes_in_english(client, app, barometer):
    r = Respondent(client, headers=FR)
    r.complete(AMERICAN_USER)
    assert '<html lang="en">' in r.html
    assert "Thank you for taking part!" in r.html
    response = only_response(app)
    assert (response.status, response.language, response.language_chosen) == (
        "complete",
        "en",
        False,
    )


def test_switching_language_half_way_keeps_every_answer_and_code(client, app, barometer):
    english = Respondent(client, headers=EN)
    english.start()
    while english.page_id != "p13":
        english.answer(AMERICAN_USER)
    typed = english.form_for({**AMERICAN_USER, "q7": "4"})
    english.post([kv for kv in typed if kv[0] != "q7a"], action="lang:fr")
    english.get(f"/s/{SLUG}/")
    assert english.page_id == "p13"
    assert '<html lang="fr">' in english.html
    kept = {c.name: c.value for c in english.fields() if c.checked}
    assert kept == {"q7": "4"}
    english.answer({**AMERICAN_USER, "q7": "4"})
    while english.page_id is not None:
        english.answer(AMERICAN_USER)
    assert "Merci pour votre participation" in english.html
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert (response.language, response.language_chosen) == ("fr", True)
        assert response.answers["s1"] == "2"
        assert response.answers["q7"] == "4"
        codes = {k: v for k, v in response.answers.items() if not k.endswith("_order")}
    french = Respondent(client.application.test_client(), headers=FR)
    french.complete({**AMERICAN_USER, "q7": "4"})
    with app.app_context():
        other = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
        assert {k: v for k, v in other.answers.items() if not k.endswith("_order")} == codes


def test_canadians_choose_their_language(client, app, barometer):
    r = Respondent(client, headers=FR)
    r.start()
    r.answer(CANADIAN)
    r.answer(CANADIAN)
    assert r.page_id == "p03"
    assert "Dans quelle langue" in r.html
    assert "In which language" in r.html
    r.answer(CANADIAN)
    assert '<html lang="en">' in r.html
    while r.page_id is not None:
        r.answer(CANADIAN)
    assert only_response(app).language == "en"


@pytest.mark.parametrize(
    ("headers", "thanks"),
    [(FR, "Merci pour votre participation"), (EN, "Thank you for taking part!")],
)
def test_non_users_end_after_their_two_questions(client, app, barometer, headers, thanks):
    r = Respondent(client, headers=headers)
    pages = r.complete({**NON_USER, "s1": "3", "s1b": "1" if headers is FR else "2"})
    assert pages[-1] == "p09"
    assert thanks in r.html
    assert only_response(app).ending_id == "end_nonuser"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?lang=fr", "la suite de ce questionnaire ne vous concerne pas"),  # spec §10.2.2
        ("?lang=en", "the rest of this survey does not apply to you"),
    ],
)
def test_screen_out_page_tells_the_truth_in_the_respondent_language(
    client, app, barometer, query, message
):
    r = Respondent(client)
    pages = r.complete(SCREENED_OUT, query)
    assert pages == ["p01", "p02"]
    assert typeset(message, query[-2:]) in html.unescape(r.html)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){7}", shown_code(r.html))
    response = only_response(app)
    assert (response.status, response.ending_id) == ("screened_out", "so1")


def test_quota_full_page(client, app, barometer):
    from sqlalchemy import update

    from surveyapp.models import QuotaCell

    with app.app_context():
        db.session.execute(update(QuotaCell).values(target=0).where(QuotaCell.kind == "hard"))
        db.session.commit()
    r = Respondent(client, headers=EN)
    pages = r.complete(AMERICAN_USER)
    assert pages[-1] == "p06"
    assert "We have already received all the answers we need" in r.html  # spec §10.2.3
    assert only_response(app).status == "quota_full"


def test_the_progress_bar_follows_the_remaining_route(client, barometer):
    r = Respondent(client, headers=EN)
    r.start()
    seen = []
    while r.page_id is not None:
        seen.append(int(re.search(r'<progress id="progress" max="100" value="(\d+)"', r.html)[1]))
        r.answer(NON_USER)
    assert seen == sorted(seen)
    assert seen[0] == 0
    assert seen[-1] >= 85  # the non-user's last page: nearly done, not 9/29 of the longest path


def test_back_shows_the_previous_page_filled_in(client, barometer):
    r = Respondent(client, headers=EN)
    r.start()
    for _ in range(3):
        r.answer(FRENCH_USER)
    assert r.page_id == "p05"
    r.answer({}, action="back")
    assert r.page_id == "p04"
    checked = {c.name: c.value for c in r.fields() if c.checked}
    assert checked == {"s2": "1", "s3": "1"}


def test_every_page_of_a_user_route_and_every_ending_get_a_303_then_render(client, barometer):
    r = Respondent(client, headers=FR)
    pages = r.complete(EVERY_USER_PAGE)
    assert {"p15", "p17", "p26", "p29"} <= set(pages)
    assert r.status == 200


def test_home_page_goes_straight_to_the_only_open_survey(client, barometer):
    response = client.get("/?lang=en&src=adetem")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/s/{SLUG}/?lang=en&src=adetem"
    entry = client.get(response.headers["Location"])
    assert entry.headers["Location"] == f"/s/{SLUG}/p/p01?src=adetem&lang=en"


def test_home_page_lists_nothing_when_no_survey_is_open(client):
    response = client.get("/", headers=FR)
    assert (
        response.status_code == 200
        and "Aucun questionnaire" in response.get_data(as_text=True)
        or "No survey" in response.get_data(as_text=True)
    )


def test_unknown_survey_and_unknown_page(client, barometer):
    assert client.get("/s/nope/").status_code == 404
    assert client.get(f"/s/{SLUG}/p/p07").status_code == 303  # no response: to the start
    assert client.get(f"/s/{SLUG}/p/zz").status_code == 303


def test_gets_change_nothing(client, app, barometer):
    r = Respondent(client, headers=FR)
    r.start("?src=panel")
    r.answer(FRENCH_USER)
    before = db_dump(app)
    for url in (
        "/",
        f"/s/{SLUG}/",
        f"/s/{SLUG}/p/p02",
        f"/s/{SLUG}/p/p05",
        f"/s/{SLUG}/later",
        f"/s/{SLUG}/resume?code=X",
        f"/s/{SLUG}/withdraw",
        f"/s/{SLUG}/end",
        f"/s/{SLUG}/withdrawn",
        f"/s/{SLUG}/p/p02?lang=en",
    ):
        assert client.get(url).status_code in (200, 303), url
    assert db_dump(app) == before


def test_resume_on_another_device_with_the_continue_later_code(client, app, barometer):
    phone = Respondent(client, headers=FR)
    phone.start()
    for _ in range(3):
        phone.answer(FRENCH_USER)
    leaving = phone.post([*phone.hidden().items(), ("s4", "3")], action="later")
    assert leaving.status_code == 303
    assert leaving.headers["Location"] == f"/s/{SLUG}/later"
    later = client.get(f"/s/{SLUG}/later").get_data(as_text=True)
    code = shown_code(later)
    link = re.search(r'href="(/s/[^"]+/resume\?code=[0-9A-Z]+)"', later)[1]
    laptop = Respondent(app.test_client(), headers=EN)
    laptop.get(link)
    assert 'value="' + code.replace("-", "") in laptop.html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', laptop.html)[1]
    response = laptop.client.post(f"/s/{SLUG}/resume", data={"csrf_token": token, "code": code})
    assert response.status_code == 303
    laptop.get(response.headers["Location"])
    assert laptop.page_id == "p05"
    assert '<html lang="fr">' in laptop.html
    assert {c.name: c.value for c in laptop.fields() if c.checked} == {"s4": "3"}  # the draft
    phone.get(f"/s/{SLUG}/")
    assert phone.page_id == "p01"  # the phone's cookie no longer opens the response
    again = laptop.client.post(f"/s/{SLUG}/resume", data={"csrf_token": token, "code": code})
    assert again.status_code == 422


def test_withdrawal_with_the_code_of_the_thank_you_page(client, app, barometer):
    r = Respondent(client, headers=EN)
    r.complete(AMERICAN_USER)
    code = shown_code(r.html)
    r.get(f"/s/{SLUG}/withdraw")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', r.html)[1]
    wrong = client.post(f"/s/{SLUG}/withdraw", data={"csrf_token": token, "code": "0" * 32})
    assert wrong.status_code == 422
    assert "does not match" in wrong.get_data(as_text=True)
    done = client.post(
        f"/s/{SLUG}/withdraw", data={"csrf_token": token, "code": code, "_lang": "en"}
    )
    assert done.status_code == 303
    assert done.headers["Location"] == f"/s/{SLUG}/withdrawn?lang=en"
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == []
    assert "deleted" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_closed_survey_page(client, app, barometer):
    from surveyapp.services import surveys
    from surveyapp.services.audit import Actor

    with app.app_context():
        surveys.set_state(db.session, surveys.get_survey(db.session, SLUG), "closed", Actor.cli())
    response = client.get(f"/s/{SLUG}/", headers=FR)
    assert response.status_code == 200
    assert "Ce questionnaire est fermé" in response.get_data(as_text=True) or (
        "This survey is closed" in response.get_data(as_text=True)
    )
