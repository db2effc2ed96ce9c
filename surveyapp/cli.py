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


#: `surveyapp --help` lists the commands from this table instead of building the app (which
#: imports SQLAlchemy, the blueprints and the queue: seconds instead of a fraction of one).
#: tests/core/test_cli.py checks it against the commands `register` attaches.
COMMAND_HELP = {
    "backup": "Write a consistent backup of the database to PATH while the app keeps running.",
    "db": "Database migrations (Alembic).",
    "export": "Export SLUG's responses (CSV or SPSS), its codebook or its contact list.",
    "init": "Apply migrations, load the bundled questionnaires, create a first admin if none.",
    "invite": "Invitations by e-mail: contact lists, sending, reminders, bounces.",
    "jobs": "Start, list and follow background jobs (exports, results workbooks).",
    "purge": "Delete responses whose last activity is older than their survey's retention_days.",
    "report": "Write the results tables of survey SLUG (test responses are never included).",
    "restore": "Restore the backup PATH into the configured database, which must be empty.",
    "serve": "Run the app under gunicorn (settings: surveyapp/gunicorn_conf.py).",
    "survey": "Questionnaire schemas and fieldwork.",
    "token": "API tokens: created with scopes and surveys, shown once, stored hashed.",
    "translate": "Interface translations (fr, en) with Babel.",
    "user": "Admin, study-team and analyst accounts.",
    "worker": "Run background jobs until stopped (Ctrl-C or SIGTERM; a job cut short runs again).",
}


class _Group(FlaskGroup):
    """Flask's group, whose help page lists the commands without loading the app."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMAND_HELP)
        rows = [
            (name, click.Command(name, help=text).get_short_help_str(limit))
            for name, text in sorted(COMMAND_HELP.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _create_app() -> Flask:
    from surveyapp import create_app

    return create_app()


@click.group(
    cls=_Group,
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
)
def main() -> None:
    """surveyapp: bilingual survey collection platform (see README.md)."""


if __name__ == "__main__":
    main()
