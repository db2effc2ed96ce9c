"""The `surveyapp` command: Flask's CLI with this app's command groups."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def register(app: Flask) -> None:
    """Attach every command group to `app.cli` (so `flask --app surveyapp ...` has them too)."""
    from surveyapp.commands import db as db_cmd
    from surveyapp.commands import invite, purge, serve, setup, survey, token, translate, user

    app.cli.add_command(setup.init_command)
    app.cli.add_command(db_cmd.db_group)
    app.cli.add_command(serve.serve_command)
    app.cli.add_command(survey.survey_group)
    app.cli.add_command(user.user_group)
    app.cli.add_command(translate.translate_group)
    app.cli.add_command(token.token_group)
    app.cli.add_command(purge.purge_command)
    app.cli.add_command(invite.invite_group)

    from surveyapp.commands import export as export_cmd

    app.cli.add_command(export_cmd.export_command)

    from surveyapp.commands import report as report_cmd

    app.cli.add_command(report_cmd.report_command)

    from surveyapp.commands import jobs as jobs_cmd

    app.cli.add_command(jobs_cmd.worker_command)
    app.cli.add_command(jobs_cmd.jobs_group)
    from surveyapp.commands import backup as backup_cmd

    app.cli.add_command(backup_cmd.backup_command)
    app.cli.add_command(backup_cmd.restore_command)


def _create_app() -> Flask:
    from surveyapp import create_app

    return create_app()


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
)
def main() -> None:
    """surveyapp: bilingual survey collection platform (see README.md)."""


if __name__ == "__main__":
    main()
