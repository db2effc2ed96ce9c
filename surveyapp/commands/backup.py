"""`surveyapp backup PATH` and `surveyapp restore PATH` (see docs/operations.md, "Backups")."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from surveyapp.services import backups, migrations


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent backup of the database to PATH while the app keeps running.

    SQLite: the online backup API (a single file); PostgreSQL: pg_dump custom format.
    PATH must not exist. The file holds every answer: store it like the database.
    """
    try:
        result = backups.backup(current_app.config["DATABASE_URL"], path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"backup written: {result.path} ({result.size} bytes, {result.backend}, "
        f"revision {result.revision or 'none'})"
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Restore the backup PATH into the configured database, which must be empty.

    Stop the app first, point SURVEYAPP_DATABASE_URL at a new database, restore, then run
    `surveyapp db upgrade` if the backup is older than this version of the app.
    """
    try:
        result = backups.restore(current_app.config["DATABASE_URL"], path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    head = migrations.head_revision()
    click.echo(f"restored {result.path} (revision {result.revision or 'none'})")
    if result.revision != head:
        click.echo(f"the app expects revision {head}: run `surveyapp db upgrade` before serving")
