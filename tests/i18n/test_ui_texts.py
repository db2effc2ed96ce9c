"""The templates' interface strings: translated, set in French typography on the pages of the
blueprints that opt in (respondent, admin, auth, jobs, results; not the export files), and each
string's typography computed once per locale (memoised), not at every page."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale

from surveyapp import i18n
from surveyapp.typography import NBSP, NNBSP

TEMPLATE = (
    '{{ _("Error:") }}|{{ ngettext("%(num)d problem: nothing was loaded", '
    '"%(num)d problems: nothing was loaded", n) }}|{{ pgettext("the column of response '
    'numbers", "Response") }}'
)


@pytest.fixture
def typeset_calls(monkeypatch):
    i18n._UI_TEXTS.clear()
    calls: list[str] = []
    real = i18n.typeset_html
    monkeypatch.setattr(
        i18n, "typeset_html", lambda text, lang: calls.append(text) or real(text, lang)
    )
    return calls


def render(app, path: str, lang: str, n: int) -> str:
    with app.test_request_context(path), force_locale(lang):
        return render_template_string(TEMPLATE, n=n)


def test_respondent_pages_typeset_each_string_once_per_locale(app, typeset_calls):
    path = "/s/some-survey/resume"  # a respondent page
    first = render(app, path, "fr", 1)
    assert first == f"Erreur{NBSP}:|1 problème{NBSP}: rien n’a été chargé|N° de réponse"
    computed = len(typeset_calls)
    assert computed == 3
    assert render(app, path, "fr", 1) == first
    assert len(typeset_calls) == computed  # from the memo
    # another plural form: its own entry, the number put in after
    assert render(app, path, "fr", 3).startswith(f"Erreur{NBSP}:|3 problèmes{NBSP}: ")
    # another locale: its own catalog and entries
    english = render(app, path, "en", 3)
    assert english == "Error:|3 problems: nothing was loaded|Response"
    assert render(app, path, "fr", 1) == first


def test_other_pages_are_not_typeset(app, typeset_calls):
    """Files (exports: the codebook's texts are data) keep their plain spaces; the admin pages
    opt in (`TYPESET_BLUEPRINTS`), like the respondent's."""
    assert "exports" not in i18n.TYPESET_BLUEPRINTS
    assert {"respondent", "admin", "auth", "jobs", "results"} <= i18n.TYPESET_BLUEPRINTS
    export = "/admin/surveys/some-survey/codebook.csv"
    shown = render(app, export, "fr", 2)
    assert shown == "Erreur :|2 problèmes : rien n’a été chargé|N° de réponse"
    assert NNBSP not in shown
    assert NBSP not in shown
    assert typeset_calls == []
    # the typeset entries are not served on other pages, nor the reverse
    assert render(app, "/admin/", "fr", 2).startswith(f"Erreur{NBSP}:")
    assert render(app, "/s/some-survey/resume", "fr", 2).startswith(f"Erreur{NBSP}:")
    assert render(app, export, "fr", 2) == shown


def test_without_an_application_the_strings_are_untranslated_and_not_kept(app, typeset_calls):
    template = app.jinja_env.from_string('{{ _("Error:") }}')
    assert template.render() == "Error:"
    assert len(i18n._UI_TEXTS) == 0


def test_schema_texts_are_typeset_once_per_text():
    from surveyapp import typography

    typography._typeset_fr.cache_clear()
    text = "Pourquoi? Remarque: 12 345 e-mails, l'enquête"
    expected = f"Pourquoi{NNBSP}? Remarque{NBSP}: 12{NBSP}345 e\u2011mails, l’enquête"
    assert typography.typeset(text, "fr") == expected
    assert typography.typeset(text, "fr") == expected
    assert typography.typeset(text, "en") == text
    info = typography._typeset_fr.cache_info()
    assert (info.hits, info.misses) == (1, 1)


def test_percentages_are_formatted_once_per_locale(app, monkeypatch):
    import flask_babel

    i18n._PERCENTS.clear()
    calls = []
    real = flask_babel.format_percent
    monkeypatch.setattr(flask_babel, "format_percent", lambda n: calls.append(n) or real(n))
    with app.test_request_context("/s/some-survey/resume"):
        with force_locale("fr"):
            assert i18n.percent_text(42) == f"42{NBSP}%"
            assert i18n.percent_text(42) == f"42{NBSP}%"
            assert i18n.percent_text(7) == f"7{NBSP}%"
        with force_locale("en"):
            assert i18n.percent_text(42) == "42%"
    assert calls == [0.42, 0.07, 0.42]
