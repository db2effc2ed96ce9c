"""`surveyapp translate`: extract, update and compile the interface catalogs."""

from __future__ import annotations

import subprocess  # noqa: S404 - fixed argument lists, no shell
import sys
from pathlib import Path
from typing import cast

import click

from surveyapp.config import PACKAGE_DIR, default_translations_dir
from surveyapp.services.translations import compile_catalogs

POT = default_translations_dir() / "messages.pot"


def _pybabel(*args: str) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), *args], check=True)  # noqa: S603


@click.group("translate")
def translate_group() -> None:
    """Interface translations (fr, en) with Babel."""


@translate_group.command("update")
def update() -> None:
    """Extract the strings into messages.pot and merge them into each catalog."""
    cfg = PACKAGE_DIR.parent / "translations" / "babel.cfg"
    _pybabel(
        "extract",
        "-F",
        str(cfg),
        "-k",
        "_l",
        "-k",
        "N_",
        "-k",
        "NP_:1,2",
        "--no-location",
        "--sort-output",
        "-o",
        str(POT),
        str(PACKAGE_DIR),
    )
    _pybabel("update", "-i", str(POT), "-d", str(default_translations_dir()), "--no-fuzzy-matching")
    filled = fill_source_catalog(default_translations_dir() / "en" / "LC_MESSAGES" / "messages.po")
    click.echo(f"en: {filled} source strings copied (msgids are English)")


def fill_source_catalog(path: Path) -> int:
    """The English catalog is the source language: each empty msgstr takes its msgid."""
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            plural = cast("tuple[str, ...]", message.string)  # a plural id has plural strings
            if not all(plural):
                message.string = tuple(message.id[min(i, 1)] for i in range(len(plural)))
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True)
    return filled


@translate_group.command("compile")
def compile_() -> None:
    """Compile the .po catalogs to .mo files."""
    for path in compile_catalogs():
        click.echo(f"compiled {path}")
