"""No page shows text from the wrong language (RELIABILITY V-6; the issue's language-leak check).

Every barometer page is rendered in French and in English (GET with `?lang=`, which changes
nothing), with and without validation errors, and so are the endings. On a page in language L:

- questionnaire texts of the other language (question, help, option and row texts of the
  page's visible questions) must not appear, unless they are part of the L text (S1b shows
  both languages on purpose);
- interface strings must appear in L only: an interface string whose L translation is missing
  or differs from the other language's text must not appear in the other language's form.

With an incomplete catalog the French pages show English interface strings, and this test
fails: that is what it is for.
"""

from __future__ import annotations

import html as htmlmod
import re
from functools import cache

import pytest
from babel.messages.extract import extract_from_dir
from babel.support import Translations

from surveyapp.config import PACKAGE_DIR
from surveyapp.engine import load_survey_file
from tests.respondent.helpers import (
    BAROMETER,
    CANADIAN,
    EVERY_USER_PAGE,
    NON_USER,
    SCREENED_OUT,
    SLUG,
    Respondent,
)

SCHEMA = load_survey_file(BAROMETER)
LANGS = ("fr", "en")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "N_": None,
}
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sd]")
#: Written the same in both languages, or names of the languages themselves.
NEUTRAL = {"English", "Français", "Page", "Email", "Total"}


@cache
def interface_strings() -> list[tuple[str, ...]]:
    """Every msgid of the package (plural forms included)."""
    found = set()
    for _f, _l, message, _c, _ctx in extract_from_dir(
        str(PACKAGE_DIR), METHOD_MAP, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, tuple) else (message,))
    return sorted(found)


@cache
def catalog(directory: str, lang: str) -> Translations:
    return Translations.load(directory, [lang])


def forbidden_interface(lang: str, directory: str) -> set[str]:
    """Interface texts that must not appear on a page in `lang`."""
    other = "en" if lang == "fr" else "fr"
    mine, theirs = catalog(directory, lang), catalog(directory, other)
    banned = set()
    for forms in interface_strings():
        for i, msgid in enumerate(forms):
            if len(forms) > 1:
                here = mine.ungettext(forms[0], forms[1], 1 + i)
                there = theirs.ungettext(forms[0], forms[1], 1 + i)
                translated = here != msgid or lang == "en"
            else:
                here, there = mine.ugettext(msgid), theirs.ugettext(msgid)
                translated = here != msgid or lang == "en"
            if not translated:  # no L translation: the page would show the English msgid
                banned.add(msgid)
            elif there != here:
                banned.add(there)
    return banned


def page_texts(page_id: str | None, lang: str) -> str:
    """The page's questionnaire texts in L (an interface word inside them is no leak)."""
    if page_id is None:
        return ""
    texts = []
    for q in SCHEMA.page(page_id).questions:
        texts += [q.text, q.help, *(o.label for o in q.options), *(r.text for r in q.rows)]
    return " ".join(t[lang] for t in texts if t)


def schema_texts(page_id: str, lang: str) -> set[str]:
    """Questionnaire texts of a page in the other language that differ from L's."""
    other = "en" if lang == "fr" else "fr"
    banned = set()
    for q in SCHEMA.page(page_id).questions:
        texts = [q.text, q.help, *(o.label for o in q.options), *(r.text for r in q.rows)]
        mine = " ".join(t[lang] for t in texts if t)
        for t in texts:
            if t and t[other] != t[lang] and t[other] not in mine:
                banned.add(t[other])
    return banned


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<[^>]*\blang="(fr|en)"[^>]*>[^<]*<', " <", page)  # the language switch
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def leaks(text: str, banned: set[str], legit: str = "") -> list[str]:
    found = []
    for phrase in banned:
        parts = [p.strip() for p in PLACEHOLDER.split(phrase) if len(p.strip()) >= 2]
        if phrase in NEUTRAL or sum(map(len, parts)) < 4 or phrase in legit:
            continue
        pattern = r".{0,200}?".join(r"(?<!\w)" + re.escape(p) + r"(?!\w)" for p in parts)
        if re.search(pattern, text):
            found.append(phrase)
    return found


def check(page_html: str, lang: str, page_id: str | None, directory: str) -> list[str]:
    assert f'<html lang="{lang}">' in page_html
    text = visible_text(page_html)
    banned = forbidden_interface(lang, directory) | (
        schema_texts(page_id, lang) if page_id else set()
    )
    return leaks(text, banned, page_texts(page_id, lang))


@pytest.mark.parametrize(
    ("script", "query"),
    [(EVERY_USER_PAGE, ""), (CANADIAN, "?lang=en"), (NON_USER, ""), (SCREENED_OUT, "?lang=en")],
)
def test_no_page_shows_the_other_language(app, client, barometer, script, query):
    directory = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    r = Respondent(client, headers={"Accept-Language": "fr"})
    r.start(query)
    problems = []
    while True:
        page_id, url = r.page_id, r.url.split("?")[0]
        for lang in LANGS:
            shown = client.get(f"{url}?lang={lang}").get_data(as_text=True)
            problems += [(page_id or url, lang, p) for p in check(shown, lang, page_id, directory)]
        if page_id is None:
            break
        if page_id not in ("p01",):
            invalid = r.post(
                [("csrf_token", r.hidden()["csrf_token"]), ("_lang", "fr"), ("q99", "x")]
            )
            problems += [
                (page_id, "errors", p)
                for p in check(
                    invalid.get_data(as_text=True),
                    r.html.split('lang="')[1][:2],
                    page_id,
                    directory,
                )
            ]
        r.answer(script)
    assert not problems, "\n".join(map(str, sorted(set(problems))))


@pytest.mark.parametrize("lang", LANGS)
def test_validation_messages_and_other_pages_in_each_language(app, client, barometer, lang):
    directory = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    r = Respondent(client, headers={"Accept-Language": lang})
    r.start()
    r.answer({"consent": "1"})
    empty = r.post([("csrf_token", r.hidden()["csrf_token"]), ("_lang", lang)])
    assert empty.status_code == 422
    problems = check(empty.get_data(as_text=True), lang, "p02", directory)
    for url in (
        f"/s/{SLUG}/later",
        f"/s/{SLUG}/resume",
        f"/s/{SLUG}/withdraw",
        f"/s/{SLUG}/withdrawn",
        "/nope",
    ):
        shown = client.get(f"{url}?lang={lang}", headers={"Accept-Language": lang})
        problems += [(url, p) for p in check(shown.get_data(as_text=True), lang, None, directory)]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', r.html)[1]
    for url in (f"/s/{SLUG}/withdraw", f"/s/{SLUG}/resume"):
        refused = client.post(url, data={"csrf_token": token, "code": "0" * 32})
        assert refused.status_code == 422
        problems += [(url, p) for p in check(refused.get_data(as_text=True), lang, None, directory)]
    assert not problems, "\n".join(map(str, problems))


def test_the_check_sees_a_leak(app, client, barometer):
    directory = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    r = Respondent(client, headers={"Accept-Language": "fr"})
    r.start()
    r.answer({"consent": "1"})
    french = client.get(f"/s/{SLUG}/p/p02?lang=fr").get_data(as_text=True)
    tampered = french.replace(">États-Unis<", ">United States<")
    assert "United States" in check(tampered, "fr", "p02", directory)
    english = client.get(f"/s/{SLUG}/p/p02?lang=en").get_data(as_text=True)
    assert check(english.replace("Back<", "Retour<"), "en", "p02", directory) != [] or (
        "Retour" not in forbidden_interface("en", directory)
    )
