"""The results' fingerprint is answered from ix_responses_results_fingerprint (migration 0011)
without reading the table: an index-only scan on PostgreSQL, a covering index on SQLite."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql.expression import ClauseElement, Executable

from surveyapp.exports.query import ExportFilters
from surveyapp.extensions import db
from surveyapp.models import Response, Survey
from surveyapp.services import surveys
from surveyapp.services.audit import Actor
from surveyapp.services.results import _fingerprint, fingerprint_select
from tests.results.helpers import BAROMETER

INDEX = "ix_responses_results_fingerprint"
#: Enough responses with answers as wide as real ones that reading the table costs the planner
#: far more than reading the index.
ROWS = 3000


class Explain(Executable, ClauseElement):
    """`<prefix> <statement>` with the statement's parameters bound as usual."""

    inherit_cache = False

    def __init__(self, prefix: str, statement: Any) -> None:
        self.prefix = prefix
        self.statement = statement


@compiles(Explain)
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return f"{element.prefix} {compiler.process(element.statement, **kw)}"


def _plan(conn: Any, statement: Any) -> str:
    if conn.dialect.name == "postgresql":
        rows = conn.execute(Explain("EXPLAIN (ANALYZE, COSTS OFF)", statement)).scalars()
        return "\n".join(rows)
    return "\n".join(row[-1] for row in conn.execute(Explain("EXPLAIN QUERY PLAN", statement)))


@pytest.fixture
def many_responses(app):
    """The barometer with ROWS finished responses (a few of them tests) and some in progress,
    the table vacuumed and analysed as autovacuum would leave it."""
    with app.app_context():
        survey = surveys.load_schema_file(db.session, BAROMETER, Actor("system", "test")).survey
        base = datetime(2015, 5, 10, tzinfo=UTC)
        rows = []
        for i in range(ROWS + 100):
            finished = i < ROWS
            status = ("complete", "screened_out")[i % 7 == 0] if finished else "in_progress"
            moment = base + timedelta(minutes=i)
            rows.append(
                {
                    "survey_id": survey.id,
                    "version_id": survey.current_version_id,
                    "token_hash": hashlib.sha256(f"fingerprint-{i}".encode()).hexdigest(),
                    "status": status,
                    "ending_id": {"complete": "end_complete", "screened_out": "so1"}.get(status),
                    "language": "fr",
                    "answers": {"q": "x" * 800, "n": i},
                    "params": {"source": "1"},
                    "page_history": [],
                    "seed": f"{i:032x}",
                    "is_test": i % 100 == 0,
                    "started_at": moment,
                    "updated_at": moment + timedelta(minutes=11),
                    "completed_at": moment + timedelta(minutes=11) if finished else None,
                }
            )
        db.session.execute(insert(Response), rows)
        db.session.commit()
        engine = db.engine
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE responses" if _is_pg(conn) else "ANALYZE"))
        yield survey.id


def _is_pg(conn: Any) -> bool:
    return bool(conn.dialect.name == "postgresql")


@pytest.mark.parametrize(
    "filters",
    [
        ExportFilters(tests="exclude"),
        ExportFilters(
            statuses=("complete", "screened_out", "quota_full"),
            since=datetime(2015, 5, 11, tzinfo=UTC),
            until=datetime(2015, 5, 12, tzinfo=UTC),
            tests="exclude",
        ),
    ],
    ids=["default", "statuses-and-dates"],
)
def test_the_fingerprint_reads_the_index_only(app, many_responses, filters):
    with app.app_context(), db.engine.connect() as conn:
        plan = _plan(conn, fingerprint_select(many_responses, filters))
        if _is_pg(conn):
            assert f"Index Only Scan using {INDEX} on responses" in plan, plan
            assert "Heap Fetches: 0" in plan, plan
        else:
            assert f"USING COVERING INDEX {INDEX} " in plan, plan


def test_the_fingerprint_counts_what_the_table_holds(app, many_responses):
    """The index changes how, not what: the same figures as a query that cannot use it."""
    with app.app_context():
        survey = db.session.get(Survey, many_responses)
        found = _fingerprint(db.session, survey, ExportFilters(tests="exclude"))
        finished = [
            (r.id, r.updated_at)
            for r in db.session.scalars(select(Response).where(Response.survey_id == survey.id))
            if r.status == "complete" and not r.is_test
        ]
        assert found == (
            len(finished),
            max(i for i, _ in finished),
            str(max(u for _, u in finished)),
        )


def test_the_model_declares_the_migrated_index(app):
    """Same columns and, on PostgreSQL, the same predicate (finished responses only): the
    model's index built beside the migrated one, compared in the catalog, rolled back."""
    index = next(i for i in Response.__table__.indexes if i.name == INDEX)
    with app.app_context(), db.engine.connect() as conn:
        if not _is_pg(conn):
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n"),
                {"n": INDEX},
            ).scalar_one()
            assert str(CreateIndex(index).compile(dialect=conn.dialect)) == sql
            return
        copy = str(CreateIndex(index).compile(dialect=conn.dialect)).replace(INDEX, "ix_copy", 1)
        with conn.begin() as transaction:
            conn.execute(text(copy))
            shape = text(
                "SELECT indkey::text, pg_get_expr(indpred, indrelid) FROM pg_index"
                " WHERE indexrelid = CAST(:n AS regclass)"
            )
            migrated = conn.execute(shape, {"n": INDEX}).one()
            model = conn.execute(shape, {"n": "ix_copy"}).one()
            transaction.rollback()
        assert migrated == model
        assert migrated[1] == "((status)::text <> 'in_progress'::text)"
