"""The `surveyapp` command: its public command names and the idempotent `init`."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

from surveyapp.models import Survey, SurveyVersion, User
from tests.support.servers import REPO

PUBLIC_COMMANDS = {"init", "db", "serve", "survey", "user", "translate"}


def test_help_lists_the_public_commands(tmp_path):
    result = subprocess.run(
        [str(REPO / ".venv" / "bin" / "surveyapp"), "--help"]
        if (REPO / ".venv").exists()
        else [sys.executable, "-m", "surveyapp.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={"SURVEYAPP_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    listed = {
        line.split()[0]
        for line in result.stdout.splitlines()
        if line.startswith("  ") and line.split()
    }
    assert PUBLIC_COMMANDS <= listed


def test_init_is_idempotent(runner, session):
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "password:" in first.output
    assert "survey barometre-2015: version 1 loaded" in first.output
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0, second.output
    assert "password:" not in second.output
    assert "already loaded" in second.output
    assert session.scalar(select(func.count(User.id))) == 1
    assert session.scalar(select(func.count(Survey.id))) == 1
    assert session.scalar(select(func.count(SurveyVersion.id))) == 1


def test_the_help_table_lists_exactly_the_registered_commands(app):
    import click

    from surveyapp.cli import COMMAND_HELP

    ctx = click.Context(app.cli)
    registered = {
        name: app.cli.get_command(ctx, name).get_short_help_str(limit=10**6)
        for name in app.cli.list_commands(ctx)
    }
    assert registered == COMMAND_HELP


def test_help_does_not_build_the_app(tmp_path):
    code = (
        "import sys; from surveyapp.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'sqlalchemy' not in sys.modules, 'the app was built for --help'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={
            "SURVEYAPP_INSTANCE_PATH": str(tmp_path),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(REPO),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "invite" in result.stdout
