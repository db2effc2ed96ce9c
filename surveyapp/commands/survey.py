"""`surveyapp survey`: check, load and run questionnaires."""

from __future__ import annotations

import click

from surveyapp.commands.xlsform import (
    export_xlsform_command,
    import_command,
    language_option,
    read_schema_source,
)
from surveyapp.engine import SchemaError
from surveyapp.extensions import db
from surveyapp.services import surveys
from surveyapp.services.audit import Actor


@click.group("survey")
def survey_group() -> None:
    """Questionnaire schemas and fieldwork."""


@survey_group.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@language_option
def check(paths: tuple[str, ...], language: str | None) -> None:
    """Lint schema files (.yaml or XLSForm .xlsx): located messages; exit status 1 on any."""
    from surveyapp.engine import lint_text

    failed = False
    for path in paths:
        try:
            text = read_schema_source(path, language)
        except click.ClickException as exc:  # a refused workbook: its problems are printed
            click.echo(f"{path}: {exc.message}", err=True)
            failed = True
            continue
        report = lint_text(text, source=path)
        for problem in report.problems:
            click.echo(str(problem), err=True)
        for warning in getattr(report, "warnings", ()):
            click.echo(f"warning: {warning}", err=True)
        if report.ok:
            click.echo(f"{path}: OK")
            if report.stats is not None:
                click.echo(_describe_stats(report.stats))
        else:
            failed = True
            click.echo(f"{path}: {len(report.problems)} problem(s)", err=True)
    if failed:
        raise SystemExit(1)


def _describe_stats(stats) -> str:
    """The path statistics as the study team reads them."""
    endings = ", ".join(f"{ending} {count:,}" for ending, count in sorted(stats.by_ending.items()))
    lines = [
        f"  distinct paths: {stats.paths:,} ({stats.complete_paths:,} ending as complete)",
        f"  questions on a path: {stats.shortest} to {stats.longest}",
    ]
    if stats.shortest_complete is not None:
        lines.append(
            f"  questions on a complete path: {stats.shortest_complete} to "
            f"{stats.longest_complete}, about {stats.minutes_min:.0f} to "
            f"{stats.minutes_max:.0f} minutes"
        )
    lines.append(f"  paths by ending: {endings}")
    return "\n".join(lines)


@survey_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@language_option
def load(path: str, language: str | None) -> None:
    """Load a schema file (.yaml, or an XLSForm .xlsx) as a new version of its survey."""
    try:
        text = read_schema_source(path, language)  # YAML as is; an XLSForm workbook converted
        result = surveys.load_schema_text(db.session, text, path, Actor.cli())
    except SchemaError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the schema was not loaded") from exc
    state = "new version" if result.created_version else "unchanged, already loaded"
    click.echo(f"{result.survey.slug}: version {result.version.number} ({state})")


@survey_group.command("list")
def list_() -> None:
    """List the surveys with their state and current version."""
    for survey in surveys.list_surveys(db.session):
        version = survey.current_version.number if survey.current_version else "-"
        click.echo(f"{survey.slug}\t{survey.state}\tversion {version}")


def _set_state(slug: str, state: str) -> None:
    survey = surveys.get_survey(db.session, slug)
    if survey is None:
        raise click.ClickException(f"no survey {slug!r}")
    surveys.set_state(db.session, survey, state, Actor.cli())
    click.echo(f"{slug}: {state}")


@survey_group.command("open")
@click.argument("slug")
def open_(slug: str) -> None:
    """Open fieldwork."""
    _set_state(slug, "open")


@survey_group.command("close")
@click.argument("slug")
def close(slug: str) -> None:
    """Close fieldwork: respondents see the survey's closed page."""
    _set_state(slug, "closed")


@survey_group.command("quotas")
@click.argument("slug")
@click.option("--check", is_flag=True, help="Verify the counters; exit status 1 on a mismatch.")
def quotas_(slug: str, check: bool) -> None:
    """Show the quota cells of a survey, or verify their counters with --check."""
    from sqlalchemy import select

    from surveyapp.models import QuotaCell
    from surveyapp.services import quotas

    survey = surveys.get_survey(db.session, slug)
    if survey is None:
        raise click.ClickException(f"no survey {slug!r}")
    cells = db.session.scalars(
        select(QuotaCell).where(QuotaCell.survey_id == survey.id).order_by(QuotaCell.cell_id)
    )
    for cell in cells:
        closed = " closed" if cell.is_closed else ""
        click.echo(f"{cell.cell_id}\t{cell.kind}\t{cell.completes}/{cell.target}{closed}")
    if check:
        violations = quotas.check_invariant(db.session, survey.id)
        for v in violations:
            click.echo(
                f"MISMATCH {v.cell_id}: counter {v.counter}, claims {v.claims}, "
                f"complete non-test responses {v.completes}",
                err=True,
            )
        if violations:
            raise SystemExit(1)
        click.echo("invariant holds: every counter equals its complete, non-test responses")


survey_group.add_command(import_command)
survey_group.add_command(export_xlsform_command)
