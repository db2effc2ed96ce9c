"""`surveyapp token`: API tokens for scripts (exports, quota monitoring)."""

from __future__ import annotations

import click

from surveyapp.extensions import db
from surveyapp.services import tokens
from surveyapp.services.audit import Actor


@click.group("token")
def token_group() -> None:
    """API tokens: created with scopes and surveys, shown once, stored hashed."""


@token_group.command("create")
@click.argument("email")
@click.option("--survey", "surveys", multiple=True, help="Survey slug (repeat); default: all.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(tokens.SCOPES),
    required=True,
    help="Allowed use (repeat).",
)
@click.option(
    "--expires",
    "days",
    type=click.IntRange(1, tokens.MAX_DAYS),
    default=tokens.DEFAULT_DAYS,
    show_default=True,
    help="Days until it expires.",
)
@click.option("--note", default=None, help="What the token is for (shown in listings).")
def create(
    email: str, surveys: tuple[str, ...], scopes: tuple[str, ...], days: int, note: str | None
) -> None:
    """Create a token for EMAIL's account and print it (this once: only its hash is kept)."""
    try:
        created = tokens.create_token(
            db.session, email, list(scopes), list(surveys) or None, days, Actor.cli(), note=note
        )
    except (tokens.TokenError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    token = created.token
    click.echo(
        f"token {token.id} ({token.prefix}…) for {email}, scopes {','.join(token.scopes)}, "
        f"surveys {','.join(token.surveys) if token.surveys else 'all'}, "
        f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC",
        err=True,
    )
    click.echo("this token is shown only once:", err=True)
    click.echo(created.secret)


@token_group.command("list")
def list_() -> None:
    """List the tokens: id, prefix, owner, scopes, surveys, expiry, state."""
    from surveyapp.models import utcnow

    now = utcnow()
    for token, email in tokens.list_tokens(db.session):
        if token.revoked_at:
            state = "revoked"
        elif not tokens.is_live(token, now):
            state = "expired"
        else:
            state = "active"
        surveys = ",".join(token.surveys) if token.surveys is not None else "*"
        expires = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "-"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(
            f"{token.id}\t{token.prefix}…\t{email}\t{','.join(token.scopes)}\t{surveys}"
            f"\texpires {expires}\tlast used {used}\t{state}"
        )


@token_group.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID (see `token list`): it fails from the next request on."""
    try:
        token = tokens.revoke_token(db.session, token_id, Actor.cli())
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"revoked token {token.id} ({token.prefix}…)")
