"""`surveyapp db`: Alembic migrations."""

from __future__ import annotations

import click

from surveyapp.extensions import db
from surveyapp.services import migrations


@click.group("db")
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: the newest)."""
    migrations.upgrade(db.engine, revision)
    click.echo(f"database at {migrations.current_revision(db.engine)}")


@db_group.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (`base` removes every table)."""
    migrations.downgrade(db.engine, revision)
    click.echo(f"database at {migrations.current_revision(db.engine) or 'base'}")


@db_group.command("current")
def current() -> None:
    """Print the database's revision and the newest one available."""
    click.echo(f"current: {migrations.current_revision(db.engine) or 'none'}")
    click.echo(f"head:    {migrations.head_revision()}")
