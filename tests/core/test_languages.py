"""The one language-names table (`surveyapp.languages`) and who reads it."""

from __future__ import annotations

import pytest

from surveyapp import languages
from surveyapp.i18n import SUPPORTED_LOCALES


def test_interface_languages_are_the_supported_locales_and_named():
    assert SUPPORTED_LOCALES == languages.INTERFACE_LANGUAGES
    for code in SUPPORTED_LOCALES:
        names = languages.NAMES[code]
        assert all(getattr(names, lang) for lang in SUPPORTED_LOCALES)


@pytest.mark.parametrize(
    ("code", "fr", "en", "own"),
    [
        ("fr", "Français", "French", "Français"),
        ("en", "Anglais", "English", "English"),
        ("de", "Allemand", "German", "Deutsch"),
    ],
)
def test_names_in_each_interface_language_and_in_itself(code, fr, en, own):
    assert languages.interface_names(code) == {"fr": fr, "en": en}
    assert languages.autonym(code) == own


def test_unknown_codes_fall_back_to_babel_then_the_code():
    assert languages.autonym("sw") == "Kiswahili"
    assert languages.name_in("sw", "fr") == "Swahili"
    assert languages.autonym("zz") == "zz"
    assert languages.interface_names("zz") == {"fr": "zz", "en": "zz"}


def test_every_name_maps_back_to_its_code_without_clashes():
    table = languages.code_by_name()
    for code, names in languages.NAMES.items():
        for name in names.all():
            assert table[name.casefold()] == code
    assert languages.code_by_name(["fr"]) == {"french": "fr", "français": "fr", "francais": "fr"}


def test_readers_share_the_table():
    from surveyapp.auth.forms import LANGUAGE_CHOICES
    from surveyapp.exports.columns import language_name
    from surveyapp.respondent.display import language_name as respondent_name
    from surveyapp.services.invitations.contacts import LANGUAGE_NAMES
    from surveyapp.xlsform.languages import language_code, language_label

    assert [(c.value, c.label) for c in LANGUAGE_CHOICES] == [
        (code, languages.autonym(code)) for code in SUPPORTED_LOCALES
    ]
    assert language_name("fr") == respondent_name("fr") == "Français"
    assert LANGUAGE_NAMES == languages.code_by_name(SUPPORTED_LOCALES)
    assert language_code("Allemand") == language_code("deutsch") == "de"
    assert language_label("pt") == "Portuguese (pt)"
