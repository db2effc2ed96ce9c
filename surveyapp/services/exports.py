"""Exports of a survey's responses: CSV (three presets), SPSS .sav, the codebook, contacts.

A response export is an explicit column list (the layout, fixed by the schema versions) and a
stream of rows read from a server-side cursor; writers turn them into CSV chunks or a .sav file.
Every export is audit-logged before its first byte (who, what, which filters) and the event is
completed with the number of rows written when the stream ends, even when it is interrupted.
The contact list is a separate export that never touches the responses.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.caching import LRUCache
from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.engine.questions import EmailType
from surveyapp.engine.validate import contact_questions
from surveyapp.exports import codebook as codebook_mod

# The options are part of this module's interface (callers use `exports.parse_options`).
from surveyapp.exports.cells import DEFAULT_PRESET as DEFAULT_PRESET
from surveyapp.exports.cells import PRESETS, CsvWriter
from surveyapp.exports.columns import ExportColumn
from surveyapp.exports.layout import survey_layout
from surveyapp.exports.privacy import privacy_columns
from surveyapp.exports.query import (
    count_responses,
    ending_medians,
    stream_records,
)
from surveyapp.exports.rows import RowBuilder, Target
from surveyapp.exports.spss import SavBuilder, sav_notes
from surveyapp.languages import INTERFACE_LANGUAGES
from surveyapp.models import AuditEvent, Contact, Survey, SurveyVersion
from surveyapp.services.audit import Actor
from surveyapp.services.export_options import LABEL_CHOICES as LABEL_CHOICES
from surveyapp.services.export_options import ExportError as ExportError
from surveyapp.services.export_options import ExportOptions as ExportOptions
from surveyapp.services.export_options import parse_options as parse_options
from surveyapp.services.sqlutil import bound_engine
from surveyapp.services.surveys import compiled
from surveyapp.services.transaction import begin_write

FORMATS = ("csv", "sav", "codebook.csv", "codebook.json", "contacts.csv")
CHUNK_ROWS = 1000

Progress = Callable[[int], None]


# ----------------------------------------------------------------------------- layout
@dataclass(frozen=True, slots=True)
class SurveyLayout:
    """A survey's export layout and its compiled versions."""

    survey: Survey
    columns: list[ExportColumn]
    #: Version number -> compiled schema.
    versions: dict[int, CompiledSurvey]
    labels: dict[int, str]

    @property
    def current(self) -> CompiledSurvey:
        """The newest version's schema."""
        return self.versions[max(self.versions)]


#: Export layouts by the (version number, schema SHA-256) of every version of a survey; the
#: schemas themselves come from the per-process cache of `services.surveys.compiled`.
_LAYOUTS: LRUCache[tuple[tuple[int, str], ...], list[ExportColumn]] = LRUCache(32)


def load_layout(session: Session, survey: Survey) -> SurveyLayout:
    """The export layout of every version of `survey` (cached per set of versions)."""
    versions = list(
        session.scalars(
            select(SurveyVersion)
            .where(SurveyVersion.survey_id == survey.id)
            .order_by(SurveyVersion.number)
        )
    )
    if not versions:
        raise ExportError(f"survey {survey.slug!r} has no schema version")
    schemas = {v.number: compiled(v) for v in versions}
    key = tuple((v.number, v.sha256) for v in versions)
    columns = _LAYOUTS.get_or_create(key, lambda: survey_layout(sorted(schemas.items())))
    return SurveyLayout(survey, columns, schemas, {v.number: v.label for v in versions})


def export_layout(session: Session, survey: Survey, options: ExportOptions) -> SurveyLayout:
    """The layout as exported with `options`: completion date or full timestamps (§9.9)."""
    layout = load_layout(session, survey)
    return replace(layout, columns=privacy_columns(layout.columns, options.timestamps))


# ----------------------------------------------------------------------------- audit
def _audit_start(session: Session, actor: Actor, survey: Survey, details: dict[str, Any]) -> int:
    survey_id, slug = survey.id, survey.slug
    begin_write(session)
    event = AuditEvent(
        actor_type=actor.kind,
        actor=actor.name,
        action="export",
        survey_id=survey_id,
        target=slug,
        details={**details, "rows": None, "finished": False},
    )
    session.add(event)
    session.commit()
    return event.id


def _audit_end(
    session: Session, event_id: int, rows: int, finished: bool, error: str | None
) -> None:
    begin_write(session)
    event = session.get(AuditEvent, event_id)
    if event is None:  # pragma: no cover - deleted meanwhile
        return
    details = dict(event.details or {})
    details.update(rows=rows, finished=finished)
    if error:
        details["error"] = error
    event.details = details
    session.commit()


# ----------------------------------------------------------------------------- rows
def _builders(
    layout: SurveyLayout, target: Target, medians: dict[str, float]
) -> dict[int, RowBuilder]:
    return {
        number: RowBuilder(layout.columns, schema, number, target, medians)
        for number, schema in layout.versions.items()
    }


def iter_rows(
    session: Session, layout: SurveyLayout, options: ExportOptions, target: Target
) -> Generator[list[list[Any]], None, None]:
    """Batches of export rows, streamed from a server-side cursor on a connection of its own.

    The row builders are made at once, so that a failure happens before the first byte of a
    download (a clean error page) rather than in the middle of it.
    """
    engine = bound_engine(session)
    with engine.connect() as conn:
        medians = ending_medians(conn, layout.survey.id)
    builders = _builders(layout, target, medians)
    return _batches(engine, layout, options, builders)


def _batches(
    engine: Any, layout: SurveyLayout, options: ExportOptions, builders: dict[int, RowBuilder]
) -> Generator[list[list[Any]], None, None]:
    for batch in stream_records(engine, layout.survey.id, options.filters):
        yield [builders[record.version](record) for record in batch]


def count_export(session: Session, survey: Survey, options: ExportOptions) -> int:
    """How many responses an export with these options holds now."""
    with bound_engine(session).connect() as conn:
        return count_responses(conn, survey.id, options.filters)


def header_cells(layout: SurveyLayout) -> list[str]:
    """The header row: the column names."""
    return [col.name for col in layout.columns]


def csv_chunks(
    session: Session,
    survey: Survey,
    options: ExportOptions,
    actor: Actor,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The response CSV as UTF-8 byte chunks: header at once, then rows as they are read."""
    layout = export_layout(session, survey, options)
    preset = PRESETS[options.preset]
    event_id = _audit_start(session, actor, survey, options.describe("csv"))
    writer = CsvWriter(preset)
    rows, finished, error, batches = 0, False, None, None
    try:
        batches = iter_rows(session, layout, options, Target("csv", preset, options.labels))
        yield (writer.start() + writer.rows([header_cells(layout)])).encode("utf-8")
        for batch in batches:
            yield writer.raw_rows(batch).encode("utf-8")
            rows += len(batch)
            if progress is not None:
                progress(len(batch))
        finished = True
    except Exception as exc:
        error = type(exc).__name__
        raise
    finally:
        if batches is not None:
            batches.close()  # stops the reader thread and returns its connection first
        _audit_end(session, event_id, rows, finished, error)


def write_sav(
    session: Session,
    survey: Survey,
    options: ExportOptions,
    actor: Actor,
    path: str | os.PathLike[str],
    progress: Progress | None = None,
) -> int:
    """Write the SPSS file to `path`; returns the number of cases."""
    layout = export_layout(session, survey, options)
    lang = options.lang or layout.current.default_language
    event_id = _audit_start(session, actor, survey, options.describe("sav") | {"lang": lang})
    rows, finished, error, batches = 0, False, None, None
    try:
        batches = iter_rows(session, layout, options, Target("typed"))
        builder = SavBuilder(layout.columns, lang)
        for batch in batches:
            builder.add_rows(batch)
            rows += len(batch)
            if progress is not None:
                progress(len(batch))
        batches.close()
        title = layout.current.title.get(lang, survey.slug)
        notes = sav_notes(survey.slug, rows, datetime.now(UTC), lang)
        builder.write(Path(path), file_label=title, notes=notes)
        finished = True
        return rows
    except Exception as exc:
        error = type(exc).__name__
        raise
    finally:
        if batches is not None:
            batches.close()
        _audit_end(session, event_id, rows, finished, error)


def sav_chunks(
    session: Session, survey: Survey, options: ExportOptions, actor: Actor, size: int = 1 << 16
) -> Iterator[bytes]:
    """The .sav file as byte chunks (written to a temporary file first, then streamed)."""
    handle, path = tempfile.mkstemp(suffix=".sav", prefix="surveyapp-export-")
    os.close(handle)
    try:
        write_sav(session, survey, options, actor, path)
        with open(path, "rb") as stream:
            while chunk := stream.read(size):
                yield chunk
    finally:
        os.unlink(path)


# ----------------------------------------------------------------------------- codebook
def notes_language(layout: SurveyLayout, options: ExportOptions) -> str:
    """The language of the codebook's one-language notes: `lang`, as for the SPSS labels
    (default: the survey's), English when the interface has no catalog for it."""
    lang = options.lang or layout.current.default_language
    return lang if lang in INTERFACE_LANGUAGES else "en"


def codebook_document(
    session: Session, survey: Survey, options: ExportOptions, actor: Actor
) -> dict[str, Any]:
    """The JSON codebook (audit-logged), its notes in `notes_language`."""
    layout = export_layout(session, survey, options)
    lang = notes_language(layout, options)
    with force_locale(lang):
        document = codebook_mod.codebook_document(
            layout.columns,
            survey={
                "slug": survey.slug,
                "title": dict(layout.current.title),
                "languages": list(layout.current.languages),
                "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            },
            versions=[{"number": n, "label": layout.labels[n]} for n in sorted(layout.versions)],
            preset=options.preset,
            labels=options.labels,
            filters=options.filters.describe(),
            lang=lang,
        )
    describe = options.describe("codebook.json") | {"lang": lang}
    event_id = _audit_start(session, actor, survey, describe)
    _audit_end(session, event_id, len(layout.columns), True, None)
    return document


def codebook_json(session: Session, survey: Survey, options: ExportOptions, actor: Actor) -> bytes:
    """The JSON codebook as UTF-8 bytes."""
    document = codebook_document(session, survey, options, actor)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def codebook_csv(session: Session, survey: Survey, options: ExportOptions, actor: Actor) -> bytes:
    """The CSV codebook, written with the chosen preset (neutralised in the default ones); its
    `missing` meanings in `notes_language`."""
    layout = export_layout(session, survey, options)
    writer = CsvWriter(PRESETS[options.preset])
    lang = notes_language(layout, options)
    with force_locale(lang):
        rows = list(codebook_mod.codebook_rows(layout.columns, options.preset))
    text = writer.start() + writer.rows([codebook_mod.CSV_HEADER]) + writer.rows(rows)
    describe = options.describe("codebook.csv") | {"lang": lang}
    event_id = _audit_start(session, actor, survey, describe)
    _audit_end(session, event_id, len(layout.columns), True, None)
    return text.encode("utf-8")


# ----------------------------------------------------------------------------- contacts
def contact_columns(schema: CompiledSurvey) -> list[tuple[str, str, str]]:
    """(column name, question id, option code) of the request codes kept with contacts."""
    cols = []
    for q in contact_questions(schema):
        contact = q.kind.contact if isinstance(q.kind, EmailType) else None
        for qid in contact.with_ if contact is not None else ():
            source = schema.questions.get(qid)
            for option in source.options if source is not None else ():
                cols.append((f"{qid}_{option.code}", qid, option.code))
    return cols


def contacts_chunks(
    session: Session, survey: Survey, options: ExportOptions, actor: Actor
) -> Iterator[bytes]:
    """The contact list (e-mail and the codes ticked), never joined to any response."""
    layout = load_layout(session, survey)
    columns = contact_columns(layout.current)
    writer = CsvWriter(PRESETS[options.preset])
    event_id = _audit_start(
        session, actor, survey, {"format": "contacts.csv", "preset": options.preset}
    )
    rows, finished = 0, False
    try:
        yield (writer.start() + writer.rows([["email"] + [c[0] for c in columns]])).encode()
        stmt = (
            select(Contact.email, Contact.requests)
            .where(Contact.survey_id == survey.id)
            .order_by(Contact.id)
        )
        with bound_engine(session).connect() as conn:
            result = conn.execution_options(yield_per=CHUNK_ROWS).execute(stmt)
            for part in result.partitions(CHUNK_ROWS):
                batch = [_contact_row(email, requests or {}, columns) for email, requests in part]
                yield writer.rows(batch).encode("utf-8")
                rows += len(batch)
        finished = True
    finally:
        _audit_end(session, event_id, rows, finished, None)


def _contact_row(
    email: str, ticked_by_question: Mapping[str, Any], columns: list[tuple[str, str, str]]
) -> list[Any]:
    row: list[Any] = [email]
    for _name, qid, code in columns:
        ticked = ticked_by_question.get(qid)
        row.append(None if ticked is None else int(isinstance(ticked, list) and code in ticked))
    return row


def export_filename(survey: Survey, kind: str, extension: str) -> str:
    """`<slug>_<kind>_<YYYY-MM-DD>.<extension>` (UTC date)."""
    return f"{survey.slug}_{kind}_{datetime.now(UTC):%Y-%m-%d}.{extension}"
