"""`surveyapp survey import` and `surveyapp survey export-xlsform`: questionnaires in Excel.

The two commands are attached to the `survey` group (surveyapp/commands/survey.py);
`read_schema_source` lets `survey load` accept an .xlsx as well as a YAML file.
See docs/xlsform.md.
"""

from __future__ import annotations

from pathlib import Path

import click

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _import(path: str, language: str | None):
    """Import a workbook, echoing warnings; located problems become a ClickException."""
    from surveyapp.xlsform import XlsformError, import_xlsform

    try:
        result = import_xlsform(path, language=language)
    except XlsformError as exc:
        for problem in exc.problems:
            click.echo(f"{path}: {problem}", err=True)
        raise click.ClickException(
            f"{len(exc.problems)} problem(s): the workbook was not imported"
        ) from exc
    for warning in result.warnings:
        click.echo(f"{path}: warning: {warning}", err=True)
    return result


def read_schema_source(path: str | Path, language: str | None = None) -> str:
    """The schema text of a file: YAML as written, or an XLSForm workbook converted to YAML.

    A YAML file too large or not UTF-8 raises SchemaError (located); a refused workbook, a
    ClickException after its located problems.
    """
    from surveyapp.engine.schema import read_schema_text

    if Path(path).suffix.lower() in XLSX_SUFFIXES:
        return _import(str(path), language).text
    return read_schema_text(path)


#: The import's options, shared by `survey import`, `survey check` and `survey load`.
language_option = click.option(
    "--language",
    help="XLSForm: language of label/hint columns without ::language, e.g. fr (when the "
    "settings sheet lacks default_language).",
)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the schema here (default: stdout).",
)
@language_option
def import_command(path: str, output: str | None, language: str | None) -> None:
    """Convert an XLSForm workbook (.xlsx) into a schema file, checked by the linter."""
    result = _import(path, language)
    if output is None:
        click.echo(result.text, nl=False)
        return
    Path(output).write_text(result.text, encoding="utf-8")
    pages = len(result.schema.get("pages") or [])
    click.echo(f"{output}: {result.schema['survey']['id']}, {pages} page(s), written", err=True)


@click.command("export-xlsform")
@click.argument("slug", required=False)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .xlsx to write."
)
@click.option(
    "--file",
    "schema_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Export a schema file instead of a loaded survey's current version.",
)
def export_xlsform_command(slug: str | None, output: str, schema_file: str | None) -> None:
    """Write a survey's current version (or a schema file) as an XLSForm workbook."""
    from surveyapp.engine import SchemaError
    from surveyapp.xlsform.exporter import ExportError, export_xlsform

    if (slug is None) == (schema_file is None):
        raise click.UsageError("give either a survey SLUG or --file PATH")
    if schema_file is not None:
        try:
            text = read_schema_source(schema_file)
        except SchemaError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException("the schema cannot be read: nothing written") from exc
    else:
        from surveyapp.extensions import db
        from surveyapp.services.surveys import get_survey

        survey = get_survey(db.session, slug or "")
        if survey is None or survey.current_version is None:
            raise click.ClickException(f"no survey {slug!r} (load it first)")
        text = survey.current_version.source
    try:
        export_xlsform(text, output)
    except SchemaError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the schema has errors: nothing written") from exc
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{output}: written")
