"""`surveyapp init`: idempotent first-run set-up."""

from __future__ import annotations

import click

from surveyapp.extensions import db
from surveyapp.services import accounts, migrations, surveys, translations
from surveyapp.services.audit import Actor


@click.command("init")
@click.option(
    "--admin-email",
    default="admin@example.org",
    show_default=True,
    help="E-mail of the first admin, created only when no user exists.",
)
def init_command(admin_email: str) -> None:
    """Apply migrations, load the bundled questionnaires, create a first admin if none."""
    translations.compile_catalogs()
    migrations.upgrade(db.engine)
    click.echo(f"database: migrated to {migrations.current_revision(db.engine)}")
    session = db.session
    actor = Actor.cli()
    for result in surveys.load_bundled(session, actor):
        state = "loaded" if result.created_version else "already loaded"
        click.echo(f"survey {result.survey.slug}: version {result.version.number} {state}")
    if accounts.count_users(session) == 0:
        created = accounts.create_user(session, admin_email, "admin", None, actor)
        click.echo("first admin created — this password is shown only once:")
        click.echo(f"  e-mail:   {created.user.email}")
        click.echo(f"  password: {created.password}")
    else:
        click.echo("users: at least one account exists, none created")
