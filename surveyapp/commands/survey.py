"""`surveyapp survey`: check, load and run questionnaires."""

from __future__ import annotations

from pathlib import Path

import click

from surveyapp.engine import SchemaError, lint_file
from surveyapp.extensions import db
from surveyapp.services import surveys
from surveyapp.services.audit import Actor


@click.group("survey")
def survey_group() -> None:
    """Questionnaire schemas and fieldwork."""


@survey_group.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def check(paths: tuple[str, ...]) -> None:
    """Lint schema files: one located message per problem; exit status 1 if any."""
    failed = False
    for path in paths:
        report = lint_file(path)
        for problem in report.problems:
            click.echo(str(problem), err=True)
        for warning in getattr(report, "warnings", ()):
            click.echo(f"warning: {warning}", err=True)
        if report.ok:
            click.echo(f"{path}: OK")
            if report.stats is not None:
                click.echo(report.stats.describe() if hasattr(report.stats, "describe")
                           else str(report.stats))
        else:
            failed = True
            click.echo(f"{path}: {len(report.problems)} problem(s)", err=True)
    if failed:
        raise SystemExit(1)


@survey_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load(path: str) -> None:
    """Load a schema file as a new version of its survey (existing responses keep theirs)."""
    try:
        result = surveys.load_schema_file(db.session, Path(path), Actor.cli())
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
