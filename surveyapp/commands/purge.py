"""`surveyapp purge`: delete responses past their survey's retention (run it daily)."""

from __future__ import annotations

import click

from surveyapp.extensions import db
from surveyapp.services import responses_admin
from surveyapp.services.audit import Actor
from surveyapp.services.invitations import participation


@click.command("purge")
@click.option(
    "--batch-size",
    default=responses_admin.PURGE_BATCH,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Responses deleted per transaction.",
)
@click.option(
    "--max-batches",
    default=None,
    type=click.IntRange(1),
    help="Stop after this many batches per survey (the next run continues).",
)
def purge_command(batch_size: int, max_batches: int | None) -> None:
    """Delete responses whose last activity is older than their survey's retention_days.

    Quota slots of deleted responses are released in the same transaction; an audit event
    per survey records how many were deleted. Idempotent: a second run deletes nothing.
    Deleted data stays in database backups until they rotate out.
    """
    results = responses_admin.purge_expired(
        db.session, Actor.cli(), batch_size=batch_size, max_batches=max_batches
    )
    if not results:
        click.echo("no survey has a retention period")
    for result in results:
        click.echo(
            f"{result.slug}: {result.deleted} response(s) older than "
            f"{result.retention_days} days deleted, {result.released} quota slot(s) "
            "released"
        )
    for slug, invited, left in participation.purge_contacts(db.session):
        click.echo(
            f"{slug}: fieldwork ended past retention: {invited} invited contact(s) and "
            f"{left} address(es) left at the end of the survey deleted"
        )
