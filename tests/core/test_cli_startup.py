"""`surveyapp --help` and light commands never import the scientific or spreadsheet stack.

Each case runs the CLI in a fresh interpreter (imports are per process) and prints the heavy
modules found in sys.modules afterwards; they must be loaded only by the commands that use
them (report, export, xlsform). The wall-clock figure is in benchmarks/cli_startup.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.servers import REPO

HEAVY = ("numpy", "scipy", "statsmodels", "matplotlib", "pandas", "openpyxl", "pyreadstat")

PROBE = """
import json, sys
from surveyapp.cli import main
try:
    main(sys.argv[1:], prog_name="surveyapp")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("@@" + json.dumps({{"code": code, "heavy": heavy}}))
"""


def _run(tmp_path, *args: str) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("@@"))
    return json.loads(line[2:]) | {"stdout": result.stdout, "stderr": result.stderr}


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("survey", "--help"),
        ("report", "--help"),
        ("export", "--help"),
        ("db", "--help"),
        ("survey", "check", str(REPO / "surveyapp" / "surveys" / "barometre-2015.yaml")),
    ],
    ids=lambda a: " ".join(a[:2]).replace(str(REPO) + "/", ""),
)
def test_light_commands_import_no_heavy_module(tmp_path, args):
    out = _run(tmp_path, *args)
    assert out["code"] in (0, None), out["stderr"]
    assert out["heavy"] == [], f"surveyapp {' '.join(args)} imported {out['heavy']}"


def test_the_probe_sees_a_heavy_import(tmp_path):
    """Sensitivity: a command that needs NumPy is reported by the same probe."""
    out = _run(tmp_path, "--help")
    assert "Commands:" in out["stdout"]
    forced = subprocess.run(
        [sys.executable, "-c", "import numpy\n" + PROBE.format(heavy=HEAVY), "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(REPO),
            "SURVEYAPP_INSTANCE_PATH": str(tmp_path),
        },
        timeout=120,
    )
    line = next(x for x in forced.stdout.splitlines() if x.startswith("@@"))
    assert "numpy" in json.loads(line[2:])["heavy"]
