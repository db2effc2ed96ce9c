"""Spec §10.2.1: the neutral title while screening, the real one from P07, on every page a
respondent sees (header, <title>, list of open surveys, endings, resume and withdraw pages)."""

from __future__ import annotations

import re

import pytest

from surveyapp.extensions import db
from surveyapp.services import responses
from tests.respondent.helpers import AMERICAN_USER, FRENCH_USER, SCREENED_OUT, SLUG, Respondent

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
NEUTRAL = {
    "fr": "Enquête auprès des milieux professionnels",
    "en": "Survey of business professionals",
}
REAL = {
    "fr": "Baromètre des médias sociaux dans les départements marketing",
    "en": "Social Media Barometer for Marketing Departments",
}


def titles(html: str) -> tuple[str, str]:
    """The <title> and the header's title of a respondent page."""
    tab = re.search(r"<title>(.*?)</title>", html, re.S)
    head = re.search(r'<p class="r-title">(.*?)</p>', html, re.S)
    assert tab, html[:2000]
    assert head, html[:2000]
    return " ".join(tab[1].split()), " ".join(head[1].split())


def assert_title(html: str, expected: str, other: str) -> None:
    tab, head = titles(html)
    assert expected in tab
    assert head == expected
    assert other not in html  # nor anywhere else on the page (the h1, the introduction)


@pytest.mark.parametrize(
    ("lang", "headers", "script"), [("fr", FR, FRENCH_USER), ("en", EN, AMERICAN_USER)]
)
def test_screening_pages_carry_the_neutral_title_then_the_real_one(
    client, barometer, lang, headers, script
):
    r = Respondent(client, headers=headers)
    r.start()
    seen = {}
    for _ in range(40):
        if r.page_id is None:
            break
        seen[r.page_id] = titles(r.html)[1]
        if r.page_id == "p07":
            assert "Hootsuite" in r.html  # the partners, disclosed with the real title
        elif r.page_id < "p07":
            assert_title(r.html, NEUTRAL[lang], REAL[lang])
            assert "Hootsuite" not in r.html
        r.answer(script)
    before = [p for p in seen if p < "p07"]
    after = [p for p in seen if p >= "p07"]
    assert before[0] == "p01"
    assert len(before) >= 5
    assert len(after) >= 10
    assert {seen[p] for p in before} == {NEUTRAL[lang]}
    assert {seen[p] for p in after} == {REAL[lang]}
    # The complete ending carries the real title.
    assert titles(r.html)[1] == REAL[lang]


def test_screened_out_ending_keeps_the_neutral_title(client, barometer):
    r = Respondent(client, headers=FR)
    r.complete(SCREENED_OUT)
    assert r.url == f"/s/{SLUG}/end"
    assert_title(r.html, NEUTRAL["fr"], REAL["fr"])


def test_resume_and_withdraw_follow_the_furthest_page(client, barometer):
    r = Respondent(client, headers=EN)
    r.start()
    r.answer(AMERICAN_USER)  # p01 -> p02: still screening
    for url in (f"/s/{SLUG}/resume", f"/s/{SLUG}/withdraw"):
        page = client.get(url, headers=EN)
        assert titles(page.get_data(as_text=True))[1] == NEUTRAL["en"], url
    while r.page_id != "p08":
        r.answer(AMERICAN_USER)
    r.answer(AMERICAN_USER, action="back")  # back on P07: the furthest page reached is P08
    assert r.page_id == "p07"
    for url in (f"/s/{SLUG}/resume", f"/s/{SLUG}/withdraw"):
        page = client.get(url, headers=EN)
        assert titles(page.get_data(as_text=True))[1] == REAL["en"], url


def test_the_list_of_open_surveys_names_the_neutral_title(app, barometer):
    # (With one open survey the index page redirects to it: the list is the service's.)
    with app.app_context():
        links = responses.open_surveys(db.session, "fr")
    assert [(link.slug, link.title) for link in links] == [(SLUG, NEUTRAL["fr"])]


def test_invitation_e_mails_name_the_neutral_title(app, barometer):
    # The invitation reaches people before any screening: it must not name the topic either.
    from surveyapp.services.invitations import sending

    with app.app_context():
        survey = db.session.merge(barometer)
        for lang, subject in (
            ("fr", "Invitation à répondre : Enquête auprès des milieux professionnels"),
            ("en", "Survey invitation: Survey of business professionals"),
        ):
            template = sending.template_for(db.session, survey, "invitation", lang)
            assert template.subject == subject
            assert REAL[lang] not in template.text
