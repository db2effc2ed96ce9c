"""Language columns: `label::French (fr)` <-> `fr`, and the few texts the import supplies."""

from __future__ import annotations

import re

#: Names used in XLSForm headers (English and native), by code. A header may always give the
#: code itself: `label::fr`, `label::Français (fr)`.
NAMES = {
    "fr": ("French", "français", "francais"),
    "en": ("English", "anglais"),
    "es": ("Spanish", "español", "espanol"),
    "de": ("German", "deutsch"),
    "it": ("Italian", "italiano"),
    "pt": ("Portuguese", "português", "portugues"),
    "nl": ("Dutch", "nederlands"),
    "ar": ("Arabic", "العربية"),
}
_BY_NAME = {name.lower(): code for code, names in NAMES.items() for name in names}

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
}

_CODE = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}))?\Z")
_WITH_CODE = re.compile(r".*\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z]{2})?)\s*\)\s*\Z")


def _normal(code: str) -> str:
    match = _CODE.match(code)
    if match is None:
        return code.lower()
    lang, region = match.groups()
    return lang.lower() + (f"_{region.upper()}" if region else "")


def language_code(label: str) -> str | None:
    """`French (fr)`, `fr`, `French` or `Français` -> `fr`; None when it cannot tell."""
    text = label.strip()
    match = _WITH_CODE.match(text)
    if match:
        return _normal(match.group(1))
    if text.lower() in _BY_NAME:
        return _BY_NAME[text.lower()]
    if _CODE.match(text) and text == text.lower():
        return _normal(text)
    return None


def language_label(code: str) -> str:
    """The header suffix for a code: `fr` -> `French (fr)`."""
    names = NAMES.get(code.split("_")[0])
    return f"{names[0]} ({code})" if names else f"{code} ({code})"
