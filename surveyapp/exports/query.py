"""The SQL side of an export: which responses, read how, streamed from a server-side cursor.

The select reads the raw JSON text of the answers and parameters (cast to text on PostgreSQL,
where the column is JSONB; already text on SQLite) and parses it with a fast JSON parser;
timestamps come back already formatted as ISO 8601 UTC and the duration already in seconds,
both computed by the database. Rows are fetched with `yield_per` and consumed with
`partitions(size)`: the size is passed explicitly, since SQLAlchemy 2.1's `partitions()`
without a size after `yield_per` loaded every row at once on PostgreSQL.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Select,
    String,
    Text,
    and_,
    cast,
    extract,
    func,
    select,
)
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression

from surveyapp.exports.rows import Record
from surveyapp.models import RESPONSE_STATUSES, Response, SurveyVersion

try:  # orjson parses a response's answers about twice as fast as the json module
    import orjson

    loads: Callable[[str | bytes], Any] = orjson.loads
except ImportError:  # pragma: no cover - the json module gives the same values, slower
    loads = json.loads

#: Rows fetched per round trip and per partition (memory stays flat whatever the total).
BATCH = 1000
TEST_CHOICES = ("exclude", "include", "only")


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """Which responses an export holds."""

    statuses: tuple[str, ...] = ("complete",)
    #: Completed (for responses still in progress: started) at or after / strictly before.
    since: datetime | None = None
    until: datetime | None = None
    language: str | None = None
    #: A code of the `source` URL parameter.
    source: str | None = None
    #: Test responses: excluded (default), included, or only them.
    tests: str = "exclude"
    extra: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """The filters as JSON (for the audit log and the codebook)."""
        return {
            "status": list(self.statuses),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "language": self.language,
            "source": self.source,
            "tests": self.tests,
        }


def _dialect(conn: Connection) -> str:
    return conn.dialect.name


def iso_expr(column: Any, dialect: str) -> ColumnElement[Any]:
    """A timestamp column as `YYYY-MM-DDTHH:MM:SSZ` text, computed by the database."""
    if dialect == "postgresql":
        utc = func.timezone("UTC", column)
        return func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"', type_=String)
    return func.strftime("%Y-%m-%dT%H:%M:%SZ", column, type_=String)


def seconds_expr(dialect: str) -> ColumnElement[Any]:
    """Completion minus start, in (fractional) seconds; NULL while in progress."""
    if dialect == "postgresql":
        return extract("epoch", Response.completed_at - Response.started_at)
    return (func.julianday(Response.completed_at) - func.julianday(Response.started_at)) * 86400.0


def conditions(survey_id: int, filters: ExportFilters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of an export."""
    where: list[ColumnElement[bool]] = [Response.survey_id == survey_id]
    statuses = [s for s in filters.statuses if s in RESPONSE_STATUSES]
    where.append(Response.status.in_(statuses))
    moment: SQLColumnExpression[datetime | None] = Response.completed_at
    if "in_progress" in statuses:
        moment = func.coalesce(Response.completed_at, Response.started_at)
    if filters.since is not None:
        where.append(moment >= filters.since)
    if filters.until is not None:
        where.append(moment < filters.until)
    if filters.language is not None:
        where.append(Response.language == filters.language)
    if filters.source is not None:
        where.append(Response.params["source"].as_string() == filters.source)
    if filters.tests == "exclude":
        where.append(Response.is_test.is_(False))
    elif filters.tests == "only":
        where.append(Response.is_test.is_(True))
    return where


def response_select(dialect: str, survey_id: int, filters: ExportFilters) -> Select[Any]:
    """The export's rows in response id order, in the column order of `Record`."""
    return (
        select(
            Response.id,
            Response.status,
            Response.ending_id,
            Response.language,
            SurveyVersion.number,
            cast(Response.params, Text),
            iso_expr(Response.started_at, dialect),
            iso_expr(Response.completed_at, dialect),
            cast(func.round(seconds_expr(dialect)), Integer),
            Response.is_test,
            cast(Response.answers, Text),
        )
        .join(SurveyVersion, SurveyVersion.id == Response.version_id)
        .where(and_(*conditions(survey_id, filters)))
        .order_by(Response.id)
    )


def count_responses(conn: Connection, survey_id: int, filters: ExportFilters) -> int:
    """How many responses an export will hold."""
    stmt = select(func.count()).select_from(Response).where(and_(*conditions(survey_id, filters)))
    return conn.execute(stmt).scalar_one()


def stream_records(
    engine: Engine,
    survey_id: int,
    filters: ExportFilters,
    batch: int = BATCH,
    prefetch: int = 2,
    where: Sequence[ColumnElement[bool]] = (),
) -> Iterator[Iterator[Record]]:
    """Batches of records read from a server-side cursor (`yield_per`) on a connection of its
    own; a record is parsed when the caller reaches it, so a batch's answers are never all
    held at once. With `prefetch`, a reader thread fetches the next batches while the caller
    works on the current one (the database and the driver release the GIL while they wait),
    at most `prefetch` batches ahead: memory stays flat. `where`: more conditions (the
    results' incremental read: the responses updated since its high-water mark)."""
    raw = _read_batches(engine, survey_id, filters, batch, where)
    if prefetch > 0:
        raw = _prefetched(raw, prefetch)
    try:
        for part in raw:
            yield map(_record, part)
    finally:
        raw.close()


def _record(row: Sequence[Any]) -> Record:
    """A record from a row of `response_select`, its JSON parsed."""
    rid, status, ending, language, version, params, started, completed, duration, test, answers = (
        row
    )
    return Record(
        rid,
        status,
        ending,
        language,
        version,
        _document(params),
        started,
        completed,
        duration,
        bool(test),
        _document(answers),
    )


def _document(text: str | None) -> dict[str, Any]:
    """A stored JSON object (anything else, which the models never write, reads as empty)."""
    value = loads(text) if text else None
    return value if isinstance(value, dict) else {}


def _read_batches(
    engine: Engine,
    survey_id: int,
    filters: ExportFilters,
    batch: int,
    where: Sequence[ColumnElement[bool]] = (),
) -> Generator[Sequence[Any], None, None]:
    with engine.connect() as conn:
        stmt = response_select(_dialect(conn), survey_id, filters).where(*where)
        result = conn.execution_options(yield_per=batch).execute(stmt)
        try:
            yield from result.partitions(batch)
        finally:
            result.close()


_DONE = object()


def _prefetched(source: Generator[Any, None, None], depth: int) -> Generator[Any, None, None]:
    """Items of `source`, produced by a thread at most `depth` items ahead of the consumer."""
    items: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        items.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
            items.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            items.put(_Failure(exc))
        finally:
            source.close()

    thread = threading.Thread(target=produce, name="export-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                items.get(timeout=0.05)
            except queue.Empty:
                pass
        thread.join()


class _Failure:
    """An exception raised by the reader thread."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def ending_medians(conn: Connection, survey_id: int) -> dict[str, float]:
    """Median duration in seconds of the complete, non-test responses of each ending."""
    seconds = seconds_expr(_dialect(conn))
    base = and_(
        Response.survey_id == survey_id,
        Response.status == "complete",
        Response.is_test.is_(False),
        Response.completed_at.is_not(None),
    )
    counts = conn.execute(
        select(Response.ending_id, func.count()).where(base).group_by(Response.ending_id)
    ).all()
    medians: dict[str, float] = {}
    for ending, n in counts:
        if ending is None or not n:
            continue
        middle = (
            conn.execute(
                select(seconds)
                .where(base, Response.ending_id == ending)
                .order_by(seconds)
                .offset((n - 1) // 2)
                .limit(2 if n % 2 == 0 else 1)
            )
            .scalars()
            .all()
        )
        values = [float(v) for v in middle if v is not None]
        if values:
            medians[ending] = sum(values) / len(values)
    return medians
