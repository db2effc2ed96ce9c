"""The respondent pages' finishing pass (issue #13): French typography, wording, matrix table,
Finish button, introduction, resume entry point, stale pages, codes, fallback languages.

Test-client tests on the HTML; the layout (line boxes, table at 1280 px) is measured in the
browser by test_browser_finish.py.
"""

from __future__ import annotations

import html as htmlmod
import re

import pytest

from surveyapp.extensions import db
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from surveyapp.typography import NBHYPHEN, NBSP, NNBSP, typeset, typeset_html
from tests.respondent.helpers import (
    EVERY_USER_PAGE,
    FRENCH_USER,
    SLUG,
    Respondent,
    page_id_of,
    parse_form,
)

MINI = """
schema_version: 1
survey:
  id: mini-fin
  version: "1"
  languages: [fr, en]
  default_language: fr
  title: {fr: "Petite enquête : essai", en: "Small survey: a trial"}
  introduction:
    fr: "Bienvenue ! Cette enquête dure 2 minutes."
    en: "Welcome! This survey takes 2 minutes."
pages:
  - id: p1
    questions:
      - id: consent
        type: consent
        consent_version: "1"
        text: {fr: "J'accepte", en: "I agree"}
  - id: p2
    questions:
      - id: name
        type: text
        text: {fr: "Votre surnom ?", en: "Your nickname?"}
  - id: p3
    questions:
      - id: hello
        type: note
        text: {fr: "Bonjour ${name} !", en: "Hello ${name}!"}
      - id: fav
        type: multiple
        max: 2
        text: {fr: "Vos réseaux ?", en: "Your networks?"}
        options:
          - {code: 1, label: {fr: "Facebook", en: "Facebook"}}
          - {code: 2, label: {fr: "Twitter", en: "Twitter"}}
          - {code: 3, label: {fr: "LinkedIn", en: "LinkedIn"}}
          - {code: 9, label: {fr: "Aucun", en: "None"}, exclusive: true}
      - id: grid
        type: matrix
        text: {fr: "Êtes-vous d'accord ?", en: "Do you agree?"}
        scale:
          - {code: 1, label: {fr: "Oui", en: "Yes"}}
          - {code: 2, label: {fr: "Non", en: "No"}}
        rows:
          - {code: a, text: {fr: "Premier", en: "First"}}
          - {code: b, text: {fr: "Second", en: "Second"}}
  - id: p4
    questions:
      - id: last
        type: single
        text: {fr: "Dernière question ?", en: "Last question?"}
        options:
          - {code: 1, label: {fr: "Oui", en: "Yes"}}
          - {code: 2, label: {fr: "Non", en: "No"}}
endings:
  - id: done
    status: complete
    default: true
    message: {fr: "Merci de votre participation !", en: "Thank you for taking part!"}
"""
GERMAN = (
    MINI.replace("id: mini-fin", "id: mini-de")
    .replace("languages: [fr, en]", "languages: [de, en]")
    .replace("default_language: fr", "default_language: de")
    .replace("{fr: ", "{de: ")
    .replace("    fr: ", "    de: ")
)
MINI_ANSWERS = {
    "consent": "1",
    "name": "Jo ; l'as?!",
    "fav": ["1"],
    "grid": {"a": "1", "b": "2"},
    "last": "1",
}
#: A punctuation mark after an ordinary space, or glued to a word, in French text.
BAD_FRENCH = re.compile(r"[ \n\t][?!;:»%]|«[ \n\t]|[^\W\d_][?!;»](?=\s|$)")


@pytest.fixture
def mini(app):
    with app.app_context():
        for text in (MINI, GERMAN):
            result = surveys.load_schema_text(db.session, text, "mini.yaml", Actor.cli())
            surveys.set_state(db.session, result.survey, "open", Actor.cli())


def visible_text(page: str) -> str:
    """What the page shows as text (no markup, no script, no typed textarea value)."""
    page = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", page, flags=re.S)
    return htmlmod.unescape(re.sub(r"<[^>]+>", "\n", page))


def walk(respondent: Respondent, script: dict, query: str) -> list[str]:
    """Every page's HTML from the entry to the ending."""
    respondent.start(query)
    pages = [respondent.html]
    for _ in range(60):
        if respondent.page_id is None:
            return pages
        respondent.answer(script)
        pages.append(respondent.html)
    raise AssertionError("no ending")


# --------------------------------------------------------------------------- typography
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Pourquoi ?", f"Pourquoi{NNBSP}?"),
        ("Pourquoi?", f"Pourquoi{NNBSP}?"),
        ("Vraiment ?!", f"Vraiment{NNBSP}?!"),
        ("« Aucun »", f"«{NNBSP}Aucun{NNBSP}»"),
        ("«Aucun»", f"«{NNBSP}Aucun{NNBSP}»"),
        ("Note : oui ; non !", f"Note{NBSP}: oui{NNBSP}; non{NNBSP}!"),
        ("Note: oui", f"Note{NBSP}: oui"),
        ("42 % et 50%", f"42{NBSP}% et 50{NBSP}%"),
        ("1 000 salariés", f"1{NBSP}000 salariés"),
        ("votre e-mail", f"votre e{NBHYPHEN}mail"),
        ("l'étude", "l’étude"),
        ("le 2 décembre 2026", f"le 2{NBSP}décembre{NBSP}2026"),
        # Left alone: times, URLs, placeholders, years, English.
        ("À 10:30, https://x.org/?a=1", "À 10:30, https://x.org/?a=1"),
        ("Progression : %(percent)s", f"Progression{NBSP}: %(percent)s"),
        ("En 2015, 100 personnes", "En 2015, 100 personnes"),
    ],
)
def test_french_typography_rules(raw, expected):
    assert typeset(raw, "fr") == expected
    assert typeset(raw, "en") == raw


def test_typography_never_touches_markup():
    from markupsafe import Markup

    html = Markup('<a href="/x?y=1" title="a : b">l&#39;adresse ?</a> R&amp;D !')
    out = typeset_html(html, "fr")
    assert isinstance(out, Markup)
    assert out == Markup(
        f'<a href="/x?y=1" title="a : b">l&#39;adresse{NNBSP}?</a> R&amp;D{NNBSP}!'
    )


def test_every_french_page_of_the_barometer_follows_french_typography(client, barometer):
    pages = walk(Respondent(client), EVERY_USER_PAGE, "?lang=fr")
    assert len(pages) > 25
    for page in pages:
        text = visible_text(page)
        bad = [text[max(0, m.start() - 30) : m.end()] for m in BAD_FRENCH.finditer(text)]
        assert not bad, (page_id_of(page), bad)
    everything = "".join(pages)
    assert NNBSP in everything
    assert NBSP in everything


def test_english_pages_are_untouched(client, barometer):
    pages = walk(Respondent(client), {**FRENCH_USER, "s1": "2"}, "?lang=en")
    for page in pages:
        assert NNBSP not in visible_text(page), page_id_of(page)


def test_piped_answers_are_shown_as_typed(client, mini):
    r = Respondent(client, slug="mini-fin")
    r.start("?lang=fr")
    r.answer(MINI_ANSWERS)
    r.answer(MINI_ANSWERS)
    assert r.page_id == "p3"
    text = visible_text(r.html)
    assert f"Bonjour Jo ; l'as?!{NNBSP}!" in text  # the answer as typed, the text set
    assert f"Vos réseaux{NNBSP}?" in text


# --------------------------------------------------------------------------- wording
def test_interface_wording_in_french(client, mini):
    r = Respondent(client, slug="mini-fin")
    r.start("?lang=fr")
    assert "Bienvenue" in r.html
    assert "2 minutes" in r.html
    assert "J’ai un code pour reprendre" in r.html
    assert 'href="/s/mini-fin/resume?lang=fr"' in r.html
    assert ">Commencer<" in r.html
    r.answer(MINI_ANSWERS)
    assert "Bienvenue" not in r.html  # the introduction only opens the survey
    r.answer(MINI_ANSWERS)
    text = visible_text(r.html)
    assert "Choisissez jusqu’à 2 réponses." in text
    assert "Cochez toutes" not in text
    assert ">Précédent<" in r.html
    r.answer({**MINI_ANSWERS, "fav": ["1", "2", "3", "9"]}, expect=422)
    text = visible_text(r.html)
    assert "Veuillez choisir au plus 2 réponses." in text
    assert f"«{NNBSP}Aucun{NNBSP}» ne peut pas être coché avec une autre réponse." in text
    r.post([*r.hidden().items()], "next")
    empty = r.post([*r.hidden().items()], "next")
    assert "Veuillez répondre à cette question." in visible_text(empty.get_data(as_text=True))


def test_plural_forms_of_multiple_choice_limits(client, mini):
    r = Respondent(client, slug="mini-fin", headers={"Accept-Language": "en"})
    r.start("?lang=en")
    r.answer(MINI_ANSWERS)
    r.answer(MINI_ANSWERS)
    assert "Choose up to 2 answers." in r.html
    assert "Tick" not in r.html
    assert "tick" not in r.html
    r.answer({**MINI_ANSWERS, "fav": ["1", "9"]}, expect=422)
    assert "“None” cannot be selected together with another answer." in r.html


def test_last_page_button_and_ending_thanks_once(app, client, mini):
    r = Respondent(client, slug="mini-fin")
    r.start("?lang=fr")
    for _ in range(3):
        assert ">Terminer<" not in r.html
        r.answer(MINI_ANSWERS)
    assert r.page_id == "p4"
    assert ">Terminer<" in r.html
    assert ">Continuer<" not in r.html.split('class="r-actions"')[1]
    r.answer(MINI_ANSWERS)
    assert r.page_id is None
    assert visible_text(r.html).count("Merci") == 1, visible_text(r.html)
    assert "Questionnaire terminé" in r.html
    english = Respondent(app.test_client(), slug="mini-fin", headers={"Accept-Language": "en"})
    english.start("?lang=en")
    for _ in range(3):
        english.answer(MINI_ANSWERS)
    assert ">Finish<" in english.html


def test_no_straight_quote_in_either_catalog():
    from babel.messages.pofile import read_po

    from surveyapp.config import default_translations_dir

    for lang in ("fr", "en"):
        path = default_translations_dir() / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                assert not set("'\"") & set(string), (lang, message.id)


# --------------------------------------------------------------------------- matrix
def test_matrix_is_a_table_with_named_radios(client, mini):
    r = Respondent(client, slug="mini-fin", headers={"Accept-Language": "en"})
    r.start("?lang=en")
    r.answer(MINI_ANSWERS)
    r.answer(MINI_ANSWERS)
    table = re.search(r'<table class="r-mx">.*?</table>', r.html, re.S)[0]
    assert re.findall(r'<th scope="col">([^<]+)</th>', table) == ["Yes", "No"]
    assert len(re.findall(r'<th scope="row">', table)) == 2
    radio = re.search(r'<input type="radio" id="f-grid-b-2"[^>]*>', table)[0]
    labelled = re.search(r'aria-labelledby="([^"]+)"', radio)[1].split()
    names = [re.search(rf'id="{i}">([^<]+)<', r.html)[1] for i in labelled]
    assert names == ["Second", "No"]


# --------------------------------------------------------------------------- codes, links
def test_codes_are_grouped_and_the_later_link_is_whole(client, barometer):
    r = Respondent(client)
    r.start("?lang=fr")
    r.answer(FRENCH_USER)
    r.answer(FRENCH_USER, action="later")
    link = re.search(r'<p class="r-url"><a href="([^"]+)">([^<]+)</a>', r.html)
    assert link
    assert link[1] == link[2]
    assert "code=" in link[2]
    groups = re.findall(r'<span class="r-grp">([0-9A-Z]{4}-?)</span>', r.html)
    assert len(groups) == 8
    assert "<wbr>" in r.html


# --------------------------------------------------------------------------- stale pages
def test_a_stale_page_posted_after_back_says_where_you_are(client, barometer):
    r = Respondent(client)
    r.start("?lang=fr")
    r.answer(FRENCH_USER)
    stale_html = r.html  # p02, kept by the browser
    r.answer(FRENCH_USER)
    assert r.page_id == "p04"
    r.html = stale_html
    response = r.post(r.form_for(FRENCH_USER))
    assert response.status_code == 303  # the redirect is kept
    assert page_id_of(response.headers["Location"]) == "p04"
    r.get(response.headers["Location"])
    assert "Vous étiez déjà plus loin" in r.html
    r.get(r.url)  # shown once
    assert "Vous étiez déjà plus loin" not in r.html


def test_a_fresh_page_has_no_stale_message(client, barometer):
    r = Respondent(client, headers={"Accept-Language": "en"})
    r.start("?lang=en")
    r.answer(FRENCH_USER)
    r.answer(FRENCH_USER)
    assert r.page_id == "p04"
    assert 'id="moved"' not in r.html
    r.get(f"/s/{SLUG}/p/p02")  # reopened from the history: redirected, with the message
    assert r.page_id == "p04"
    assert 'id="moved"' in r.html  # in French: S1 (France) set the language
    r.get(f"/s/{SLUG}/p/p09")  # a page never reached: redirected, no message
    assert r.page_id == "p04"
    assert 'id="moved"' not in r.html


# --------------------------------------------------------------------------- languages
def test_a_language_without_catalog_falls_back_to_english_interface(app, client, mini):
    r = Respondent(client, slug="mini-de")
    r.start("?lang=de")
    assert '<html lang="de">' in r.html
    assert ">Start<" in r.html
    assert "Commencer" not in r.html
    assert '<div class="r-actions" lang="en">' in r.html
    assert 'lang="en" hreflang="en">English<' in r.html
    english = Respondent(app.test_client(), slug="mini-de")
    english.start("?lang=en")
    assert 'lang="de" hreflang="de">Deutsch<' in english.html
    assert '<html lang="en">' in english.html
    assert ' lang="en"' not in english.html.split("<main", 1)[1]  # no attribute needed
    form = parse_form(r.html)
    assert form.action
    assert "mini-de" in form.action


def test_survey_check_warns_about_languages_without_catalog(runner, tmp_path):
    path = tmp_path / "de.yaml"
    path.write_text(GERMAN, encoding="utf-8")
    result = runner.invoke(args=["survey", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "no interface catalog for de" in result.output
    french = tmp_path / "fr.yaml"
    french.write_text(MINI, encoding="utf-8")
    assert "no interface catalog" not in runner.invoke(args=["survey", "check", str(french)]).output


def test_the_english_interface_says_select_not_tick():
    from babel.messages.pofile import read_po

    from surveyapp.config import default_translations_dir

    path = default_translations_dir() / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    ticked = [m.id for m in catalog if m.id and re.search(r"\btick", str(m.string), re.I)]
    assert ticked == []
