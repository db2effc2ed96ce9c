"""The coverage set-up of README's "Coverage": processes the tests start are measured.

`surveyapp.entrypoint` execs gunicorn, and gunicorn loads `surveyapp.gunicorn_conf`, in
processes of their own; they count only if every interpreter starts coverage itself
(`tests/support/coverage_start/sitecustomize.py`) and saves its data before an exec.
coverage.py is not in the test extra: the measuring test needs it installed (7.10 or later).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.servers import REPO

START = REPO / "tests" / "support" / "coverage_start"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    return env | {"PYTHONPATH": f"{START}{os.pathsep}{REPO}"} | extra


def test_the_settings_measure_children_across_exec():
    run = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["coverage"]
    assert run["run"]["source_pkgs"] == ["surveyapp"]
    assert run["run"]["parallel"] is True  # one data file per process, combined afterwards
    assert {"execv", "_exit"} <= set(run["run"]["patch"])


def test_the_start_hook_does_nothing_unless_asked(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import sys; print('coverage' in sys.modules)"],
        env=_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False"
    assert result.stderr == ""


def test_a_child_and_the_process_it_execs_are_both_measured(tmp_path):
    coverage = pytest.importorskip("coverage", minversion="7.10")
    data_file = tmp_path / ".coverage"
    env = _env(
        tmp_path,
        COVERAGE_PROCESS_START=str(REPO / "pyproject.toml"),
        COVERAGE_FILE=str(data_file),
    )
    then = "import surveyapp.entrypoint"
    code = (
        "import os, sys, surveyapp.gunicorn_conf\n"
        f"os.execv(sys.executable, [sys.executable, '-c', {then!r}])\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, check=True, timeout=120)
    cov = coverage.Coverage(config_file=str(REPO / "pyproject.toml"), data_file=str(data_file))
    cov.combine()
    measured = {Path(name).name for name in cov.get_data().measured_files()}
    assert {"gunicorn_conf.py", "entrypoint.py"} <= measured
