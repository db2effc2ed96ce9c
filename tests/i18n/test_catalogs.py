"""The interface catalogs are complete: every string extracted from the code has a French and an
English translation, none fuzzy, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from surveyapp.config import PACKAGE_DIR, default_translations_dir

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "N_": None,
    "NP_": (1, 2),
    "pgettext": ((1, "c"), 2),
}
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]


def _extracted_ids() -> set[tuple[str, str | None]]:
    """(msgid, msgctxt) of every string of the package."""
    ids = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE_DIR), METHOD_MAP, keywords=KEYWORDS
    ):
        ids.add((message[0] if isinstance(message, tuple) else message, context))
    return ids


def _catalog(lang: str):
    path = default_translations_dir() / lang / "LC_MESSAGES" / "messages.po"
    with Path(path).open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_catalog_has_every_string_translated(lang):
    catalog = _catalog(lang)
    problems = []
    for msgid, context in sorted(_extracted_ids(), key=lambda item: (item[0], item[1] or "")):
        message = catalog.get(msgid, context=context)
        if message is None:
            problems.append(
                f"missing from {lang} catalog (run `surveyapp translate update`): {msgid!r}"
            )
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy in {lang}: {msgid!r}")
            continue
        for string in strings:
            if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(string)):
                problems.append(f"placeholders differ in {lang}: {msgid!r} -> {string!r}")
    assert not problems, "\n".join(problems)
