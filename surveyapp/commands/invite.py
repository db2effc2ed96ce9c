"""`surveyapp invite`: contact lists, personal links, invitations and reminders by e-mail."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from surveyapp.extensions import db
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from surveyapp.services.invitations import contacts, participation, sending
from surveyapp.services.invitations.mail import MailConfigError


def mail_settings() -> sending.MailSettings:
    """The invitation settings of the running app's configuration."""
    try:
        return sending.settings_from_config(current_app.config)
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _survey(slug: str):
    survey = surveys.get_survey(db.session, slug)
    if survey is None:
        raise click.ClickException(f"no survey {slug!r} (see `surveyapp survey list`)")
    return survey


@click.group("invite")
def invite_group() -> None:
    """Invitations by e-mail: contact lists, sending, reminders, bounces."""


@invite_group.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(slug: str, path: Path) -> None:
    """Import a CSV contact list (columns: email, language, declared parameters)."""
    survey = _survey(slug)
    try:
        report = contacts.import_contacts(
            db.session,
            survey,
            path.read_bytes(),
            Actor.cli(),
            secret=current_app.config["SECRET_KEY"].encode("utf-8"),
        )
    except contacts.ContactFileError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    if not report.ok:
        for problem in report.problems[: contacts.MAX_REPORTED]:
            click.echo(f"{path}: {problem}", err=True)
        more = len(report.problems) - contacts.MAX_REPORTED
        if more > 0:
            click.echo(f"{path}: … and {more} more problem(s)", err=True)
        raise click.ClickException("nothing imported: correct the file and import it again")
    for line in report.merged:
        click.echo(f"{path}: {line}")
    click.echo(
        f"{report.added} contact(s) added, {report.updated} updated, {report.unchanged} "
        f"unchanged; {report.suppressed} on the unsubscribe list (never mailed)"
    )


@invite_group.command("list")
@click.argument("slug")
def list_(slug: str) -> None:
    """The contact list with each contact's participation (never linked to a response)."""
    survey = _survey(slug)
    click.echo("email\tlanguage\tprogress\treminders\tunsubscribed\tbounced")
    for c in participation.list_contacts(db.session, survey.id):
        click.echo(
            f"{c.email}\t{c.language}\t{c.progress}\t{c.reminders}\t"
            f"{'yes' if c.unsubscribed else 'no'}\t{'yes' if c.bounced else 'no'}"
        )


@invite_group.command("send")
@click.argument("slug")
@click.option(
    "--reminder", is_flag=True, help="Remind those who were invited and have not completed."
)
@click.option("--dry-run", is_flag=True, help="Say how many would be mailed; send nothing.")
def send(slug: str, reminder: bool, dry_run: bool) -> None:
    """Send the invitations (or reminders) now, at SURVEYAPP_MAIL_PER_MINUTE."""
    survey = _survey(slug)
    kind = "reminder" if reminder else "invitation"
    settings = mail_settings()
    if dry_run:
        count = sending.count_eligible(db.session, survey, kind, settings)
        click.echo(f"{count} {kind}(s) would be sent")
        return
    try:
        wave = sending.start_wave(db.session, survey, kind, settings, Actor.cli())
    except sending.SendingError as exc:
        raise click.ClickException(str(exc)) from exc
    with click.progressbar(length=wave.recipients, label=f"{kind}s", show_pos=True) as bar:
        done = 0

        def advance(progress: sending.Progress) -> None:
            nonlocal done
            bar.update(progress.done - done)
            done = progress.done

        result = sending.run_wave(db.session, wave.id, settings, progress=advance)
    click.echo(f"wave {wave.id}: {result.sent} sent, {result.failed} refused by the server")


@invite_group.command("bounces")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def bounces(path: Path) -> None:
    """Mark the recipients of bounce messages (an .eml or an mbox of DSNs) as bounced."""
    marked = participation.record_bounces(db.session, path.read_bytes())
    for address in marked:
        click.echo(f"bounced: {address}")
    click.echo(f"{len(marked)} contact address(es) marked as bounced")
