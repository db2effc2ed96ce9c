"""`surveyapp export SLUG`: the downloads of the admin area, from the command line."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import BinaryIO

import click

from surveyapp.exports.cells import DEFAULT_PRESET, PRESETS
from surveyapp.extensions import db
from surveyapp.models import RESPONSE_STATUSES
from surveyapp.services import exports
from surveyapp.services.audit import Actor
from surveyapp.services.surveys import get_survey

FORMATS = {
    "csv": "csv",
    "sav": "sav",
    "codebook": "codebook.csv",
    "codebook-json": "codebook.json",
    "contacts": "contacts.csv",
}


@click.command("export")
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="csv",
    show_default=True,
    help="What to export.",
)
@click.option(
    "--preset",
    type=click.Choice(list(PRESETS)),
    default=DEFAULT_PRESET,
    show_default=True,
    help="excel: UTF-8 with BOM; excel-fr: ';' and decimal commas; "
    "plain: RFC 4180 for R and pandas (text not neutralised).",
)
@click.option(
    "--labels",
    type=click.Choice(["codes", "fr", "en"]),
    default="codes",
    show_default=True,
    help="Option codes, or labels in French or English (CSV).",
)
@click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default=None,
    help="Language of the SPSS labels and of the codebook's notes (default: the survey's).",
)
@click.option(
    "--status",
    default="complete",
    show_default=True,
    help=f"'all' or a comma-separated list of {', '.join(RESPONSE_STATUSES)}.",
)
@click.option("--from", "since", metavar="DATE", help="Completed on or after (YYYY-MM-DD).")
@click.option("--to", "until", metavar="DATE", help="Completed on or before (YYYY-MM-DD).")
@click.option(
    "--language",
    type=click.Choice(["fr", "en"]),
    default=None,
    help="Only responses in this language.",
)
@click.option("--source", default=None, help="Only this recruitment source code.")
@click.option(
    "--test",
    "tests",
    type=click.Choice(["exclude", "include", "only"]),
    default="exclude",
    show_default=True,
    help="Test responses.",
)
@click.option(
    "--timestamps",
    is_flag=True,
    help="Full start and completion times (UTC) instead of the completion date; "
    "recorded in the audit log (spec §9.9: only when really needed).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Output file (default: standard output; required for --format sav).",
)
def export_command(
    slug: str, fmt: str, output: str | None, timestamps: bool, **flags: str | None
) -> None:
    """Export SLUG's responses (CSV or SPSS), its codebook or its contact list.

    Same files and filters as the admin downloads; audit-logged as the CLI user. A progress
    bar is shown on a terminal.
    """
    survey = get_survey(db.session, slug)
    if survey is None:
        raise click.ClickException(f"no survey {slug!r}")
    args = {
        "preset": flags["preset"],
        "labels": flags["labels"],
        "lang": flags["lang"],
        "status": flags["status"],
        "from": flags["since"],
        "to": flags["until"],
        "language": flags["language"],
        "source": flags["source"],
        "test": flags["tests"],
        "timestamps": "1" if timestamps else None,
    }
    try:
        languages = exports.load_layout(db.session, survey).current.languages
        options = exports.parse_options({k: v for k, v in args.items() if v}, languages)
    except exports.ExportError as exc:
        raise click.BadParameter(str(exc)) from exc
    kind = FORMATS[fmt]
    actor = Actor.cli()
    if kind == "sav":
        if output is None:
            raise click.UsageError("--format sav needs -o FILE")
        with _progress(survey, options) as advance, _replacing(output) as path:
            rows = exports.write_sav(db.session, survey, options, actor, path, advance)
        click.echo(f"{output}: {rows} responses", err=True)
        return
    with _open(output) as stream:
        if kind == "csv":
            with _progress(survey, options) as advance:
                for chunk in exports.csv_chunks(db.session, survey, options, actor, advance):
                    stream.write(chunk)
        elif kind == "codebook.csv":
            stream.write(exports.codebook_csv(db.session, survey, options, actor))
        elif kind == "codebook.json":
            stream.write(exports.codebook_json(db.session, survey, options, actor))
        else:
            for chunk in exports.contacts_chunks(db.session, survey, options, actor):
                stream.write(chunk)
    if output is not None:
        click.echo(f"{output}: written", err=True)


def _open(output: str | None):
    """Standard output, or a temporary file that becomes `output` only when complete."""
    if output is None:
        return nullcontext(sys.stdout.buffer)
    return _written(output)


@contextmanager
def _written(output: str) -> Iterator[BinaryIO]:
    with _replacing(output) as path, open(path, "wb") as stream:
        yield stream


@contextmanager
def _replacing(output: str) -> Iterator[str]:
    """A temporary path beside `output`, renamed to it on success and removed on failure.

    A failed export (a database error, an interruption) never leaves a partial file behind,
    nor replaces a good file from an earlier export.
    """
    target = Path(output)
    directory, prefix = target.parent, f".{target.name}."
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=".part")
    os.close(handle)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


class _Progress:
    """A click progress bar on a terminal (standard error), silent otherwise."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self._bar = None

    def __enter__(self):
        if self.total is not None:
            self._bar = click.progressbar(
                length=self.total, label="export", file=sys.stderr, show_pos=True
            )
            self._bar.__enter__()
        return self.advance

    def advance(self, rows: int) -> None:
        if self._bar is not None:
            self._bar.update(rows)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def _progress(survey, options: exports.ExportOptions) -> _Progress:
    if not sys.stderr.isatty():
        return _Progress(None)
    return _Progress(exports.count_export(db.session, survey, options))
