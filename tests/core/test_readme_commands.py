"""Every `surveyapp …` command shown in a README.md code block runs as written.

The commands are extracted from the code blocks (a line may chain several with `&&`; other
programs on the line, such as `bash .ci/setup`, are not this test's business) and run in order
on a fresh instance in a temporary directory: its own SQLite database, `surveyapp/` and `.venv/`
linked there so relative paths work. `serve` is started with SURVEYAPP_BIND on a free port
(what it would print at 127.0.0.1:8000), checked with /healthz and stopped.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import REPO, free_port, stop, wait_for_health

pytestmark = pytest.mark.slow

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
PROGRAMS = ("surveyapp", ".venv/bin/surveyapp")


def readme_commands(text: str) -> list[list[str]]:
    """argv of each surveyapp command in the code blocks, in reading order."""
    commands = []
    for block in FENCE.findall(text):
        for line in block.splitlines():
            for part in line.split("&&"):
                argv = shlex.split(part.strip(), comments=True)
                if argv and argv[0] in PROGRAMS:
                    commands.append(argv)
    return commands


def test_extraction_finds_chained_and_plain_commands():
    text = "x\n```sh\nbash .ci/setup && .venv/bin/surveyapp init && surveyapp survey list\n```\n"
    text += "`surveyapp not-in-a-block`\n```\nsurveyapp report s --by s1 -o r.xlsx  # note\n```\n"
    assert readme_commands(text) == [
        [".venv/bin/surveyapp", "init"],
        ["surveyapp", "survey", "list"],
        ["surveyapp", "report", "s", "--by", "s1", "-o", "r.xlsx"],
    ]


@pytest.fixture
def instance(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    (tmp_path / "surveyapp").symlink_to(REPO / "surveyapp")
    venv = REPO / ".venv"
    if venv.exists():
        (tmp_path / ".venv").symlink_to(venv)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "SURVEYAPP_LOG_LEVEL": "WARNING",
    }
    return tmp_path, env


def _argv(argv: list[str], cwd: Path) -> list[str]:
    """The command as written; `surveyapp` is the virtualenv's (or this interpreter's)."""
    program = cwd / ".venv" / "bin" / "surveyapp"
    if program.exists():
        return [str(program), *argv[1:]]
    return [sys.executable, "-m", "surveyapp.cli", *argv[1:]]


def _serve(argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    port = free_port()
    env = env | {"SURVEYAPP_BIND": f"127.0.0.1:{port}", "SURVEYAPP_WORKERS": "1"}
    if "--port" not in argv:
        argv = [*argv, "--port", str(port)]
    proc = subprocess.Popen(argv, cwd=cwd, env=env, start_new_session=True)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", timeout=120, proc=proc)
    finally:
        stop(proc)
    assert proc.returncode in (0, -signal.SIGTERM), proc.returncode


def test_every_readme_command_runs_on_a_fresh_instance(instance):
    cwd, env = instance
    commands = readme_commands((REPO / "README.md").read_text(encoding="utf-8"))
    assert any(c[1:2] == ["init"] for c in commands), "the README starts with surveyapp init"
    assert any(c[1:2] == ["report"] for c in commands), "the README shows a report command"
    for argv in commands:
        full = _argv(argv, cwd)
        if argv[1:2] == ["serve"]:
            _serve(full, cwd, env)
            continue
        result = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        shown = " ".join(argv)
        assert result.returncode == 0, f"{shown}\n{result.stdout}\n{result.stderr}"
