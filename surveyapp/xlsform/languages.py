"""Language columns: `label::French (fr)` <-> `fr`, and the few texts the import supplies.

A header names its language by an ISO 639 code (`label::sw`), a name with the code
(`label::Kiswahili (sw)`), or a name alone (`label::Swahili`, `label::Deutsch`). Names are
looked up in Babel's CLDR tables (a dependency already, through Flask-Babel) in a few
interface languages and in each language's own name; a name that two codes share is refused.
"""

from __future__ import annotations

import re
from functools import lru_cache

from surveyapp.languages import code_by_name, english_name

#: Names the import knows without Babel (from the one table, `surveyapp.languages`); their
#: English names are what `language_label` writes back.
_BY_NAME = code_by_name()
#: The interface languages whose CLDR names of languages are searched first.
_NAME_LOCALES = ("en", "fr", "de", "es", "it", "pt", "nl")

#: The "Other" label of `or_other`, and the message of the default ending, per language.
OTHER_LABEL = {
    "fr": "Autre",
    "en": "Other",
    "es": "Otro",
    "de": "Andere",
    "it": "Altro",
    "pt": "Outro",
    "nl": "Anders",
}
THANKS = {
    "fr": "Merci pour vos réponses !",
    "en": "Thank you for your answers!",
    "es": "¡Gracias por sus respuestas!",
    "de": "Vielen Dank für Ihre Antworten!",
    "it": "Grazie per le vostre risposte!",
    "pt": "Obrigado pelas suas respostas!",
    "nl": "Bedankt voor uw antwoorden!",
    "sw": "Asante kwa majibu yako!",
}

_CODE = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}))?\Z")
_WITH_CODE = re.compile(r".*\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z]{2})?)\s*\)\s*\Z")
AMBIGUOUS = "?"


def _normal(code: str) -> str:
    match = _CODE.match(code)
    if match is None:
        return code.lower()
    lang, region = match.groups()
    return lang.lower() + (f"_{region.upper()}" if region else "")


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    """The language codes CLDR names (ISO 639-1 where there is one, else 639-2/3)."""
    from babel import Locale

    return frozenset(
        code for code in Locale("en").languages if isinstance(code, str) and "_" not in code
    )


def _add(table: dict[str, str], name: str, code: str) -> None:
    key = name.casefold()
    if table.get(key, code) != code:
        table[key] = AMBIGUOUS
    else:
        table[key] = code


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Language name (case-folded) -> code, from CLDR in a few interface languages."""
    from babel import Locale

    table: dict[str, str] = {}
    for locale in _NAME_LOCALES:
        for code, name in Locale(locale).languages.items():
            if "_" not in code and len(code) <= 3:
                _add(table, name, code)
    return table


@lru_cache(maxsize=1)
def _autonyms() -> dict[str, str]:
    """Each language's name for itself (`Kiswahili` -> sw); slower, read only when needed."""
    from babel import Locale, localedata

    table: dict[str, str] = {}
    for ident in localedata.locale_identifiers():
        if "_" in ident:
            continue
        try:
            name = Locale.parse(ident).get_language_name(ident)
        except (ValueError, LookupError):  # a locale without a name for itself
            continue
        if name:
            _add(table, name, ident)
    return table


def language_code(label: str) -> str | None:
    """`French (fr)`, `fr`, `French`, `Français` or `Swahili` -> a code; None when it cannot
    tell (unknown or ambiguous name)."""
    text = " ".join(label.split())
    match = _WITH_CODE.match(text)
    if match:
        return _normal(match.group(1))
    if text.casefold() in _BY_NAME:
        return _BY_NAME[text.casefold()]
    if _CODE.match(text) and text.split("_")[0].split("-")[0].lower() in _iso_codes():
        return _normal(text)
    for table in (_names(), _autonyms()):
        code = table.get(text.casefold())
        if code is not None:
            return None if code == AMBIGUOUS else code
    return None


def language_label(code: str) -> str:
    """The header suffix for a code: `fr` -> `French (fr)`, `sw` -> `Swahili (sw)`."""
    english = english_name(code)
    if english:
        return f"{english} ({code})"
    from babel import Locale

    name = Locale("en").languages.get(code.split("_")[0])
    return f"{name} ({code})" if name else f"{code} ({code})"
