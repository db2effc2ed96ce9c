"""`surveyapp translate`: extract, update and compile the interface catalogs."""

from __future__ import annotations

import subprocess  # noqa: S404 - fixed argument lists, no shell
import sys
from pathlib import Path

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
        "--no-location",
        "--sort-output",
        "-o",
        str(POT),
        str(PACKAGE_DIR),
    )
    _pybabel("update", "-i", str(POT), "-d", str(default_translations_dir()), "--no-fuzzy-matching")


@translate_group.command("compile")
def compile_() -> None:
    """Compile the .po catalogs to .mo files."""
    for path in compile_catalogs():
        click.echo(f"compiled {path}")
