"""Streaming: the header comes at once, memory stays flat, an abandoned stream cleans up."""

from __future__ import annotations

import hashlib
import threading
import tracemalloc
from datetime import timedelta

import pytest
from sqlalchemy import insert

from surveyapp.extensions import db
from surveyapp.models import Response, utcnow
from surveyapp.services import exports
from surveyapp.services.audit import Actor
from tests.exports.conftest import FRENCH_USER
from tests.exports.helpers import fill, schema_of

ACTOR = Actor("system", "test")


def bulk(survey, answers: dict, start: int, count: int) -> None:
    """Insert `count` complete responses with the same answers."""
    now = utcnow()
    rows = [
        {
            "survey_id": survey.id,
            "version_id": survey.current_version_id,
            "token_hash": hashlib.sha256(f"s{i}".encode()).hexdigest(),
            "status": "complete",
            "ending_id": "end_complete",
            "language": "fr",
            "answers": answers,
            "params": {"source": "1"},
            "seed": "0" * 32,
            "page_history": [],
            "started_at": now - timedelta(minutes=20),
            "updated_at": now,
            "completed_at": now,
        }
        for i in range(start, start + count)
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(Response), rows)


def peak_kib(survey) -> tuple[int, int]:
    """Peak traced memory (KiB) while consuming a whole CSV export, and its size in bytes."""
    options = exports.parse_options({})
    tracemalloc.start()
    try:
        size = sum(len(c) for c in exports.csv_chunks(db.session, survey, options, ACTOR))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak // 1024, size


def test_memory_does_not_grow_with_the_number_of_rows(app, barometer):
    with app.app_context():
        answers = fill(schema_of(barometer), FRENCH_USER, params={"source": "1"}).answers
        bulk(barometer, answers, 0, 4000)
        exports.load_layout(db.session, barometer)  # compile the schema outside the measure
        (small, small_size), (again, _) = peak_kib(barometer), peak_kib(barometer)
        bulk(barometer, answers, 4000, 8000)
        large, large_size = peak_kib(barometer)
    assert large_size > 2.5 * small_size
    # 8 000 more rows are 6 MB of CSV, 6 MB of JSON text and some 20 MB of parsed answers and
    # cells; the stream holds a few batches whatever the total (4 000 rows reach that steady
    # state; where the reader thread stands when the peak is taken varies by a few MB).
    assert large - max(small, again) < 4096, (small, again, large)


def test_header_is_sent_before_any_row_is_read(app, barometer, monkeypatch):
    calls = []
    real = exports.stream_records

    def spy(*args, **kwargs):
        calls.append("read")
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "stream_records", spy)
    with app.app_context():
        chunks = exports.csv_chunks(db.session, barometer, exports.parse_options({}), ACTOR)
        first = next(chunks)
        assert calls == []
        assert first.startswith("\ufeffresponse_id,status,ending,".encode())
        assert first.endswith(b"flag_speed\r\n")
        chunks.close()


def test_an_abandoned_stream_stops_its_reader_thread(app, barometer):
    with app.app_context():
        answers = fill(schema_of(barometer), FRENCH_USER, params={"source": "1"}).answers
        bulk(barometer, answers, 0, 3000)
        chunks = exports.csv_chunks(db.session, barometer, exports.parse_options({}), ACTOR)
        next(chunks), next(chunks)
        assert any(t.name == "export-reader" for t in threading.enumerate())
        chunks.close()
        assert not any(t.name == "export-reader" for t in threading.enumerate())


def test_a_failing_reader_raises_in_the_consumer(app, barometer, monkeypatch):
    from surveyapp.exports import query

    def broken(*args, **kwargs):
        yield []
        raise RuntimeError("connection lost")

    monkeypatch.setattr(query, "_read_batches", broken)
    with app.app_context():
        chunks = exports.csv_chunks(db.session, barometer, exports.parse_options({}), ACTOR)
        with pytest.raises(RuntimeError, match="connection lost"):
            list(chunks)
