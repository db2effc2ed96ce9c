"""The one table of language names, and the interface languages.

`INTERFACE_LANGUAGES` are the languages the interface has catalogs for (`translations/`);
`surveyapp.i18n.SUPPORTED_LOCALES` is this tuple. A survey's own languages come from its
schema (`Survey.languages`), never from here.

`NAMES` gives each language the name the interface shows for it, in each interface language
and in itself, plus the spellings people type (unaccented, lower case) that the XLSForm
importer and the contact-file reader accept. Languages missing from it are named from Babel's
CLDR data (already a dependency through Flask-Babel), imported only when needed.

Standard library only at import time, so any layer may import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LanguageNames:
    """A language's names: in each interface language, in itself, and other spellings."""

    fr: str
    en: str
    own: str
    spellings: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        """Every name a person may write for the language (English name first)."""
        return (self.en, self.fr, self.own, *self.spellings)


#: The interface languages (catalogs in translations/): the first is the default.
INTERFACE_LANGUAGES: tuple[str, ...] = ("fr", "en")

NAMES: dict[str, LanguageNames] = {
    "fr": LanguageNames("Français", "French", "Français", ("francais",)),
    "en": LanguageNames("Anglais", "English", "English"),
    "es": LanguageNames("Espagnol", "Spanish", "Español", ("espanol",)),
    "de": LanguageNames("Allemand", "German", "Deutsch"),
    "it": LanguageNames("Italien", "Italian", "Italiano"),
    "pt": LanguageNames("Portugais", "Portuguese", "Português", ("portugues",)),
    "nl": LanguageNames("Néerlandais", "Dutch", "Nederlands"),
    "ar": LanguageNames("Arabe", "Arabic", "العربية"),
}


def _base(code: str) -> str:
    return code.replace("-", "_").split("_")[0].lower()


def _babel_name(code: str, in_lang: str) -> str | None:
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code).get_display_name(in_lang)
    except (ValueError, UnknownLocaleError):
        return None
    return name[:1].upper() + name[1:] if name else None


def autonym(code: str) -> str:
    """The language as its speakers write it ("Français", "English", "Deutsch"); for a
    regional code ("fr_CA") Babel's name with the region; the code itself when unknown."""
    known = NAMES.get(code)
    if known is not None:
        return known.own
    return _babel_name(code, code) or code


def name_in(code: str, lang: str) -> str:
    """The name of language `code` in interface language `lang` ("en" in "fr": "Anglais")."""
    known = NAMES.get(code)
    if known is not None and lang in INTERFACE_LANGUAGES:
        return str(getattr(known, lang))
    return _babel_name(code, lang) or code


def interface_names(code: str) -> dict[str, str]:
    """The name of language `code` in every interface language ({"fr": …, "en": …})."""
    return {lang: name_in(code, lang) for lang in INTERFACE_LANGUAGES}


def english_name(code: str) -> str | None:
    """The English name the table knows for `code` or its base language (None otherwise)."""
    known = NAMES.get(_base(code))
    return known.en if known is not None else None


def code_by_name(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Every known name (case-folded) -> its code, for `codes` (all of the table by default)."""
    chosen = NAMES if codes is None else {c: NAMES[c] for c in codes if c in NAMES}
    return {name.casefold(): code for code, names in chosen.items() for name in names.all()}
