"""Interface strings handed to the platform by spec §10.6 (R6: US English, "email")."""

from __future__ import annotations

from tests.respondent.helpers import AMERICAN_USER, FRENCH_USER, Respondent


def _email_error(client, headers: dict, script: dict) -> str:
    r = Respondent(client, headers=headers)
    r.start()
    while r.page_id != "p29":
        assert r.page_id is not None, r.pages
        r.answer(script)
    r.answer({**script, "q23_email": "not an address"}, expect=422)
    return r.html


def test_english_email_error_says_email(client, barometer):
    html = _email_error(client, {"Accept-Language": "en"}, {**AMERICAN_USER, "q23": ["1"]})
    assert "Please enter a valid email address, for example name@company.com." in html
    assert "e-mail" not in html.lower().replace("q23_email", "")


def test_french_email_error_keeps_e_mail(client, barometer):
    html = _email_error(client, {"Accept-Language": "fr"}, FRENCH_USER)
    # « e-mail » stays in French (§10.6); typography joins it with a no-break hyphen (U+2011).
    assert "Veuillez saisir une adresse e\u2011mail valide, par exemple nom@entreprise.fr." in html
