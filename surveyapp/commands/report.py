"""`surveyapp report SLUG -o report.xlsx`: every results table of a survey, in one workbook."""

from __future__ import annotations

from pathlib import Path

import click

from surveyapp.extensions import db
from surveyapp.lazy import LazyModule
from surveyapp.services.surveys import compiled, get_survey

#: Loaded when the command runs, not whenever the CLI starts.
results = LazyModule("surveyapp.services.results")


@click.command("report")
@click.argument("slug")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The .xlsx file to write (one sheet per question), or .csv for one table (--only).",
)
@click.option(
    "--by",
    "by",
    default=None,
    help="Breakdown: a question or derived variable id "
    "(country: s1; France vs North America: s1-region; size band: size_band).",
)
@click.option("--weighted", is_flag=True, help="Weight each group to its quota target mix.")
@click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default=None,
    help="Language of the labels (default: the survey's).",
)
@click.option("--only", default=None, metavar="QUESTION", help="Only this question's table.")
@click.option(
    "--status",
    default="complete",
    show_default=True,
    help="'all' or a comma-separated list of statuses.",
)
@click.option("--from", "since", metavar="DATE", help="Completed on or after (YYYY-MM-DD).")
@click.option("--to", "until", metavar="DATE", help="Completed on or before (YYYY-MM-DD).")
@click.option("--language", default=None, help="Only responses in this page language.")
@click.option("--source", default=None, help="Only this recruitment source code.")
def report_command(slug, output, by, weighted, lang, only, status, since, until, language, source):
    """Write the results tables of survey SLUG (test responses are never included)."""
    survey = get_survey(db.session, slug)
    if survey is None or survey.current_version is None:
        raise click.ClickException(f"no survey {slug!r} with a schema")
    schema = compiled(survey.current_version)
    args = {
        "by": by or "",
        "weighted": "1" if weighted else "",
        "lang": lang or schema.default_language,
        "status": status,
        "from": since or "",
        "to": until or "",
        "language": language or "",
        "source": source or "",
    }
    try:
        options = results.parse_options(args, schema.languages, schema.default_language)
        if output.suffix.lower() == ".csv":
            if only is None:
                raise click.ClickException("a CSV file holds one table: add --only QUESTION")
            body = results.table_csv(db.session, survey, options, only)
        else:
            body = results.workbook(db.session, survey, options, only=only)
    except results.ResultsError as exc:
        message = str(exc)
        if by and message.startswith("unknown breakdown"):
            message += f"; --by takes a question or derived variable id ({_breakdown_hint(schema)})"
        raise click.ClickException(message) from exc
    output.write_bytes(body)
    click.echo(f"{output}: {len(body)} bytes")


def _breakdown_hint(schema) -> str:
    """The survey's usual breakdowns (its hard quotas' variables), e.g. "s1: Pays, size_band"."""
    names = dict.fromkeys(n for q in schema.quotas if q.kind == "hard" for n in q.by)
    labels = {d.id: d.label for d in schema.derived}
    shown = []
    for name in names:
        question = schema.questions.get(name)
        text = question.text if question is not None else labels.get(name)
        label = (text or {}).get(schema.default_language, "")
        shown.append(f"{name}: {label}" if label else name)
    return "for example " + "; ".join(shown) if shown else "see the codebook"
