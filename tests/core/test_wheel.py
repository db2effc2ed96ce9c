"""The built wheel installs and runs outside the repository.

The package sources (pyproject.toml, setup.py, surveyapp/, migrations/, translations/) are
copied to a temporary folder and built with `uv build` (a source distribution, then the wheel
from it: MANIFEST.in is checked too); a fresh virtualenv in
tmp_path (no system site-packages) gets the dependencies from requirements.lock (hash-checked)
and the wheel, nothing else. Then, in an empty working directory and without PYTHONPATH,
`surveyapp init` migrates a new SQLite database and loads the bundled survey, and the installed
app's test client fetches the login page in French and in English. The build prints no
warning (a setuptools deprecation, a license classifier…) but two known, harmless distutils
notes. The timings are printed (`pytest -s`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from surveyapp.services.migrations import head_revision
from tests.support.servers import REPO

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
FOLDERS = ("surveyapp", "migrations", "translations")
#: A line of build output that warns (a Python warning category, distutils' "warning:", any
#: deprecation, setuptools' boxed "!!" notices).
WARNING_LINE = re.compile(r"warning\b|deprecat|^\s*!!|\*{8}", re.IGNORECASE)
#: The warnings a correct build still prints: MANIFEST.in's global-exclude finds no junk to
#: drop in a clean tree, and PYTHONDONTWRITEBYTECODE turns byte-compiling off.
HARMLESS = (
    re.compile(
        r"warning: no previously-included files matching '[^']+' found anywhere in "
        r"distribution"
    ),
    re.compile(r"warning: \w+: byte-compiling is disabled, skipping\."),
)
HEAVY = ("numpy", "scipy", "statsmodels", "matplotlib", "pandas", "pyreadstat")

PROBE = """
import json, sys
import surveyapp
from surveyapp import create_app

app = create_app()
client = app.test_client()
pages = {}
for lang in ("fr", "en"):
    response = client.get("/admin/login?lang=" + lang)
    pages[lang] = {"status": response.status_code, "html": response.get_data(as_text=True)}
print("@@" + json.dumps({
    "package": surveyapp.__file__,
    "prefix": sys.prefix,
    "path": sys.path,
    "pages": pages,
    "heavy": sorted(m for m in %r if m in sys.modules),
}))
"""


def _uv() -> str:
    """uv from this interpreter's virtualenv (the test extra installs it), else on PATH."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv, "uv is missing: install the test extra (bash .ci/setup)"
    return uv


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{argv}\n{result.stdout}\n{result.stderr}"
    return result


def build_warnings(output: str) -> list[str]:
    """The lines of a build's output that warn, but the known harmless ones."""
    return [
        line
        for line in output.splitlines()
        if WARNING_LINE.search(line) and not any(h.fullmatch(line.strip()) for h in HARMLESS)
    ]


def _timed(label: str, timings: dict[str, float], argv: list[str], **kwargs):
    start = time.perf_counter()
    result = _run(argv, **kwargs)
    timings[label] = round(time.perf_counter() - start, 1)
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path, dict[str, float], str]:
    """(the wheel, a fresh virtualenv with the locked dependencies and the wheel, timings, the
    build's output)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in SOURCES:
        shutil.copy2(REPO / name, src / name)
    for name in FOLDERS:
        skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
        shutil.copytree(REPO / name, src / name, ignore=skip)
    uv, timings = _uv(), {}
    build = _timed("build", timings, [uv, "build", "--out-dir", str(root / "dist"), str(src)])
    (wheel,) = (root / "dist").glob("surveyapp-*.whl")
    venv = root / "venv"
    python = venv / "bin" / "python"
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)])
    lock = ["--require-hashes", "-r", str(REPO / "requirements.lock")]
    _timed("install dependencies", timings, [uv, "pip", "install", "--python", str(python), *lock])
    _timed("install wheel", timings, [uv, "pip", "install", "--python", str(python), str(wheel)])
    print(f"\nwheel test timings (s): {json.dumps(timings)}")
    return wheel, venv, timings, build.stdout + build.stderr


def test_the_warning_filter_catches_setuptools_warnings():
    output = "\n".join(
        [
            "running egg_info",
            "warning: no previously-included files matching '*.mo' found anywhere in distribution",
            "warning: install_lib: byte-compiling is disabled, skipping.",
            "/tmp/x/setuptools/dist.py:759: SetuptoolsDeprecationWarning: License classifiers "
            "are deprecated.",
            "!!",
            "warning: no files found matching 'CHANGES.txt'",
        ]
    )
    assert build_warnings(output) == output.splitlines()[3:]


def test_the_build_prints_no_warning(installed):
    *_, output = installed
    found = build_warnings(output)
    assert not found, "the sdist/wheel build warns:\n" + "\n".join(found)


def test_wheel_carries_migrations_compiled_catalogs_templates_and_surveys(installed):
    wheel, *_ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "surveyapp/_data/migrations/alembic.ini",
        "surveyapp/_data/migrations/env.py",
        "surveyapp/_data/translations/fr/LC_MESSAGES/messages.mo",
        "surveyapp/_data/translations/en/LC_MESSAGES/messages.mo",
        "surveyapp/templates/base.html",
        "surveyapp/static/app.css",
        "surveyapp/surveys/barometre-2015.yaml",
    }
    expected |= {
        f"surveyapp/_data/migrations/versions/{path.name}"
        for path in (REPO / "migrations" / "versions").glob("*.py")
    }
    assert expected <= names, sorted(expected - names)
    assert not [name for name in names if "__pycache__" in name]


def test_installed_wheel_migrates_and_serves_both_languages(installed, tmp_path):
    _, venv, *_ = installed
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "SURVEYAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "SURVEYAPP_LOG_LEVEL": "WARNING",
    }
    init = _run([str(venv / "bin" / "surveyapp"), "init"], cwd=cwd, env=env)
    assert f"database: migrated to {head_revision()}" in init.stdout
    assert "survey barometre-2015: version 1 loaded" in init.stdout
    assert "first admin created" in init.stdout

    probe = _run([str(venv / "bin" / "python"), "-c", PROBE % (HEAVY,)], cwd=cwd, env=env)
    line = next(x for x in probe.stdout.splitlines() if x.startswith("@@"))
    found = json.loads(line[2:])
    # The code ran from the virtualenv, with nothing of the repository on its path.
    assert Path(found["package"]).is_relative_to(venv)
    assert not [p for p in found["path"] if p and Path(p).resolve().is_relative_to(REPO)]
    fr, en = found["pages"]["fr"], found["pages"]["en"]
    assert fr["status"] == en["status"] == 200
    assert '<html lang="fr"' in fr["html"]
    assert "Mot de passe" in fr["html"]
    assert "Se connecter" in fr["html"]
    assert '<html lang="en"' in en["html"]
    assert "Password" in en["html"]
    assert "Log in" in en["html"]
    assert "Mot de passe" not in en["html"]
    assert found["heavy"] == [], "the scientific stack is imported lazily"
