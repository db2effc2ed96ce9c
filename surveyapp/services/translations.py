"""Compile the Babel catalogs in translations/ (a built wheel carries them compiled)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from surveyapp.config import PACKAGE_DIR, default_translations_dir


def compile_catalogs(directory: Path | None = None) -> list[Path]:
    """Write each `.mo` next to its `.po` when missing or older; return those written.

    The catalogs of an installed wheel (surveyapp/_data) were compiled when it was built and
    may sit in a read-only site-packages: they are left alone.
    """
    directory = directory or default_translations_dir()
    if directory.resolve().is_relative_to(PACKAGE_DIR / "_data"):
        return []
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog)
        written.append(mo_path)
    return written
