"""`surveyapp survey`: check, load and run questionnaires."""

from __future__ import annotations

from pathlib import Path

import click

from surveyapp.commands.xlsform import (
    export_xlsform_command,
    import_command,
    language_option,
    read_schema_source,
)
from surveyapp.engine import SchemaError
from surveyapp.engine.messages import N_
from surveyapp.extensions import db
from surveyapp.services import surveys
from surveyapp.services.audit import Actor


@click.group("survey")
def survey_group() -> None:
    """Questionnaire schemas and fieldwork."""


@survey_group.command("check")
@click.argument("sources", nargs=-1, required=True, metavar="SLUG|FILE...")
@language_option
def check(sources: tuple[str, ...], language: str | None) -> None:
    """Lint schema files (.yaml or XLSForm .xlsx), or a loaded survey's current version by its
    slug: located messages; exit status 1 on any."""
    from surveyapp.engine import LintReport, lint_text

    failed = False
    for source in sources:
        name, text = source, None
        try:
            if Path(source).is_file():
                text = read_schema_source(source, language)
            else:
                name, text = _loaded_schema(source)
            report = lint_text(text, source=name)
        except SchemaError as exc:  # a YAML file too large or not UTF-8
            report = LintReport(source, tuple(exc.problems), (), None)
        except click.ClickException as exc:  # a workbook refused, no such file or survey
            click.echo(f"{source}: {exc.message}", err=True)
            failed = True
            continue
        for problem in report.problems:
            click.echo(str(problem), err=True)
        for warning in getattr(report, "warnings", ()):
            click.echo(f"warning: {warning}", err=True)
        if report.ok and text is not None:
            _warn_interface_languages(name, text)
            click.echo(f"{name}: OK")
            if report.stats is not None:
                click.echo(_describe_stats(report.stats))
        else:
            failed = True
            click.echo(f"{name}: {len(report.problems)} problem(s)", err=True)
    if failed:
        raise SystemExit(1)


def _loaded_schema(slug: str) -> tuple[str, str]:
    """(name, YAML text) of the current version of the survey `slug`, as it was loaded."""
    from sqlalchemy.exc import SQLAlchemyError

    if Path(slug).exists():
        raise click.ClickException("a directory, not a schema file")
    if Path(slug).suffix or "/" in slug:  # meant as a file: never looked up as a slug
        raise click.ClickException("no such file")
    try:
        survey = surveys.get_survey(db.session, slug)
        version = survey.current_version if survey is not None else None
        text = version.source if version is not None else None
    except SQLAlchemyError as exc:  # no database yet: nothing is loaded
        raise click.ClickException(
            "no such file, and the database cannot be read (run `surveyapp init`)"
        ) from exc
    if version is None or text is None:
        raise click.ClickException("no such file, and no loaded survey with this slug")
    return f"{slug} (version {version.number})", text


def _warn_interface_languages(path: str, text: str) -> None:
    """Warn about survey languages the interface has no catalog for (shown in English)."""
    from surveyapp.engine import load_survey
    from surveyapp.i18n import FALLBACK_LOCALE, SUPPORTED_LOCALES

    languages = load_survey(text, source=path).languages
    missing = [lang for lang in languages if lang not in SUPPORTED_LOCALES]
    if missing:
        click.echo(
            f"warning: {path}: no interface catalog for {', '.join(missing)}: buttons and "
            f"messages of those pages are shown in {FALLBACK_LOCALE} (catalogs: "
            f"{', '.join(SUPPORTED_LOCALES)})",
            err=True,
        )


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
    _warn_placeholders(result.survey, "replace it and load the schema again before fieldwork")


def _warn_placeholders(survey, advice: str) -> None:
    """One warning per placeholder left in the current version's texts (spec §10.2.4)."""
    for p in surveys.placeholders(survey):
        click.echo(
            f"warning: {survey.slug}: placeholder {p.text} in the '{p.lang}' text of "
            f"{p.where}: {advice}",
            err=True,
        )


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
    if state == "open" and survey.state != "open":
        # Spec §10.2.4: the CLI warns but opens (the README's quick start opens the bundled
        # demo); the admin asks for confirmation.
        _warn_placeholders(survey, "replace it and load the schema again before real fieldwork")
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
@click.option(
    "--lang", default=None, help="Language of the labels (default: the survey's default)."
)
def quotas_(slug: str, check: bool, lang: str | None) -> None:
    """Show the quota cells of a survey as a table, or verify their counters with --check."""
    from surveyapp.services import quotas

    survey = surveys.get_survey(db.session, slug)
    if survey is None:
        raise click.ClickException(f"no survey {slug!r}")
    click.echo(_quota_table(survey, lang))
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


#: The table's column headers (msgids of the admin quota page).
QUOTA_HEADER = (
    N_("Quota"),
    N_("Cell"),
    N_("Target"),
    N_("Complete"),
    N_("In progress"),
    N_("Status"),
)


def _quota_table(survey, lang: str | None) -> str:
    """Every cell in the schema's order, with labels: an aligned plain-text table, its
    headers, status words and numbers in `lang` (English when the interface lacks it)."""
    from datetime import UTC

    from flask_babel import force_locale, format_number
    from flask_babel import gettext as _

    from surveyapp.auth.access import now
    from surveyapp.languages import INTERFACE_LANGUAGES
    from surveyapp.services import quota_report

    schema = surveys.compiled(survey.current_version) if survey.current_version else None
    lang = lang or (schema.default_language if schema else "en")
    report = quota_report.quota_report(db.session, survey, lang, UTC, now())
    with force_locale(lang if lang in INTERFACE_LANGUAGES else "en"):
        header = tuple(_(text) for text in QUOTA_HEADER)
        rows = [
            (
                group.label,
                " × ".join(cell.labels) or _("all"),
                f"{'≤' if cell.limit == 'at_most' else '≥' if cell.kind == 'soft' else ''}"
                f"{format_number(cell.target)}",
                format_number(cell.completes),
                format_number(cell.in_progress),
                _cell_status(cell),
            )
            for group in (*report.hard, *report.soft)
            for cell in group.cells
        ]
        if not rows:
            return _("%(slug)s: no quota", slug=survey.slug)
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    numeric = {2, 3, 4}

    def line(cells) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _cell_status(cell) -> str:
    """A cell's state in words, in the current locale (soft cells: the goal; hard cells:
    open, full or closed)."""
    from flask_babel import gettext as _
    from flask_babel import pgettext

    if cell.kind == "soft":
        if cell.limit == "at_most":
            return _("under the cap") if cell.met else _("over the cap")
        return _("met") if cell.met else _("not met")
    if cell.is_closed:
        return pgettext("the state of a quota cell", "closed")
    if cell.full:
        return pgettext("the state of a quota cell", "full")
    return pgettext("the state of a quota cell", "open")


survey_group.add_command(import_command)
survey_group.add_command(export_xlsform_command)
