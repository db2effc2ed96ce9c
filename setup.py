"""Build hook: ship migrations/ and translations/ (with compiled .mo catalogs) in the wheel.

Both folders stay at the top of the repository; `build_py` copies them into the built package
as `surveyapp/_data/migrations` and `surveyapp/_data/translations` and compiles each `.po`
there, so an installed wheel needs no source tree. Editable installs skip the copy: the code
then reads the folders beside the package (surveyapp/config.py, `bundled_dir`). Everything
else is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("migrations", "translations")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")


class BuildWithData(build_py):
    """build_py, plus the bundled folders under surveyapp/_data (not in editable mode)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "surveyapp" / "_data"
        for name in BUNDLED:
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(ROOT / name, target / name, ignore=SKIP)
        _compile_catalogs(target / "translations")


def _compile_catalogs(directory: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalogs = sorted(directory.glob("*/LC_MESSAGES/*.po"))
    if not catalogs:
        raise SystemExit(f"setup.py: no .po catalog under {directory}")
    for po_path in catalogs:
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)


setup(cmdclass={"build_py": BuildWithData})
