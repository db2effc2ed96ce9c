"""`surveyapp user`: accounts of the study team."""

from __future__ import annotations

import sys

import click

from surveyapp.extensions import db
from surveyapp.models import ROLES, utcnow
from surveyapp.services import accounts, passwords
from surveyapp.services.audit import Actor


@click.group("user")
def user_group() -> None:
    """Admin, study-team and analyst accounts."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email: str, role: str, password_stdin: bool) -> None:
    """Create an account (the password is prompted for, or read with --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        created = accounts.create_user(db.session, email, role, password, Actor.cli())
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {created.user.email} ({created.user.role})")


@user_group.command("list")
def list_() -> None:
    """List the accounts."""
    for user in accounts.list_users(db.session):
        state = "active" if user.is_active else "disabled"
        click.echo(f"{user.email}\t{user.role}\t{state}")


@user_group.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account: its sessions are revoked and its tokens stop working."""
    try:
        user = accounts.disable_user(db.session, email, Actor.cli(), utcnow())
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"disabled {user.email}")


@user_group.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """Give an account a temporary password (printed once) to change at its next login."""
    try:
        reset = passwords.reset_password(db.session, email, Actor.cli(), utcnow())
    except passwords.PasswordError as exc:
        raise click.ClickException(f"no user {email}") from exc
    click.echo(f"temporary password for {reset.user.email}: {reset.password}")
    click.echo("It is shown only once; the account must choose a new one at its next login.")
