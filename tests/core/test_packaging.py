"""Packaging, read from the files: declared dependencies match imports, the lock files match
pyproject.toml, and the Dockerfile and .ci/setup install from them (no Docker engine here).

The wheel itself is built, installed and run in tests/core/test_wheel.py (slow).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.servers import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
#: Runtime dependencies the code never imports, and why they are still needed.
USED_WITHOUT_IMPORT = {
    "gunicorn": "the server `surveyapp serve` and the container entrypoint exec",
    "psycopg": "SQLAlchemy's PostgreSQL driver, chosen by the postgresql+psycopg:// URL",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)(?: ; (.+?))? \\$", re.MULTILINE)


def imported_modules(package: Path) -> dict[str, str]:
    """Top-level third-party modules imported anywhere under `package`, with one file each."""
    found: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "surveyapp":
                    found.setdefault(top, str(path.relative_to(REPO)))
    return found


def requirements(extra: str | None = None) -> list[Requirement]:
    """The runtime requirements, or an extra's, with this project's own extras expanded."""
    raw = PROJECT["dependencies"] if extra is None else PROJECT["optional-dependencies"][extra]
    result = []
    for line in raw:
        req = Requirement(line)
        if canonicalize_name(req.name) == PROJECT["name"]:
            for sub in sorted(req.extras):
                result += requirements(sub)
        else:
            result.append(req)
    return result


def lock_pins(name: str) -> dict[str, str]:
    """{canonical name: version} of a lock file; every pin must carry hashes."""
    text = (REPO / name).read_text()
    pins = {canonicalize_name(m[1]): m[2] for m in PIN.finditer(text)}
    entries = [line for line in text.splitlines() if line and not line[0].isspace()]
    entries = [line for line in entries if not line.startswith("#")]
    assert len(entries) == len(pins), f"{name}: a line is not a `name==version` pin"
    for block in re.split(r"\n(?=\S)", text):
        if "==" in block.split("\n")[0]:
            assert "--hash=sha256:" in block, f"{name}: no hash for {block.split()[0]}"
    return pins


def test_every_imported_package_is_a_declared_runtime_dependency():
    declared = {canonicalize_name(req.name) for req in requirements()}
    providers = packages_distributions()
    missing = {}
    for module, where in imported_modules(REPO / "surveyapp").items():
        dists = {canonicalize_name(d) for d in providers.get(module, [])}
        assert dists, f"{module} (imported in {where}) is not installed"
        if not dists & declared:
            missing[module] = where
    assert not missing, f"imported but not in [project] dependencies: {missing}"


def test_every_runtime_dependency_is_imported_or_explained():
    providers = packages_distributions()
    imported = {
        canonicalize_name(dist)
        for module in imported_modules(REPO / "surveyapp")
        for dist in providers.get(module, [])
    }
    unused = {
        req.name
        for req in requirements()
        if canonicalize_name(req.name) not in imported
        and canonicalize_name(req.name) not in USED_WITHOUT_IMPORT
    }
    assert not unused, f"declared but never imported: {unused}"


def test_redis_is_an_extra_not_a_runtime_dependency():
    assert "redis" not in {canonicalize_name(r.name) for r in requirements()}
    assert "redis" in {canonicalize_name(r.name) for r in requirements("redis")}
    assert "redis" in {canonicalize_name(r.name) for r in requirements("test")}


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("requirements.lock", ["redis"]), ("requirements-test.lock", ["redis", "dev"])],
)
def test_lock_file_pins_every_requirement_within_its_range(lock, extras):
    pins = lock_pins(lock)
    wanted = requirements() + [req for extra in extras for req in requirements(extra)]
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is not in {lock}: refresh it with `bash .ci/lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside {req}: run `bash .ci/lock`"
        )


def test_the_test_lock_agrees_with_the_runtime_lock():
    runtime, test = lock_pins("requirements.lock"), lock_pins("requirements-test.lock")
    assert set(runtime) <= set(test)
    assert {n: v for n, v in test.items() if n in runtime} == runtime


def _dockerfile_instructions() -> list[str]:
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_dockerfile_copies_files_that_exist_and_installs_the_locked_wheel():
    lines = _dockerfile_instructions()
    copies = [line.split()[1:] for line in lines if line.startswith("COPY ")]
    sources = [args[:-1] for args in copies if not args[0].startswith("--")]
    for source in (s for group in sources for s in group):
        assert (REPO / source).exists(), f"Dockerfile copies {source}, absent from the repo"
    runs = " ".join(line for line in lines if line.startswith("RUN "))
    assert " -e " not in runs
    assert "--editable" not in runs
    assert "pip install --require-hashes -r requirements.lock" in runs
    assert re.search(r"pip wheel .*--wheel-dir /dist \.", runs)
    assert "pip install --no-deps /dist/surveyapp-*.whl" in runs
    # The runtime stage takes the virtualenv only, never the build stage's source tree.
    assert [args for args in copies if args[0].startswith("--from")] == [
        ["--from=build", "/opt/venv", "/opt/venv"]
    ]


def test_ci_setup_installs_the_lock_files_with_hashes():
    setup = (REPO / ".ci" / "setup").read_text()
    assert "lock=requirements.lock" in setup
    assert "lock=requirements-test.lock" in setup
    assert '--require-hashes -r "$lock"' in setup
    assert "--no-deps -e ." in setup
