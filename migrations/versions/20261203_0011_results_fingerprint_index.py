"""A covering index for the results' fingerprint of the matching responses.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

Index only: no data changes, nothing to backfill. On PostgreSQL a large table locks its writes
while the index builds (about 1 s at 100,000 responses on the 2-core test machine); run this
migration outside fieldwork hours, or create the index CONCURRENTLY by hand beforehand with the
same name, columns and predicate, which this migration then cannot re-create: drop it first.

- responses(survey_id, status, is_test, completed_at, updated_at, id): every results page view,
  chart and download asks `services.results._fingerprint`, SELECT count(*), max(id),
  max(updated_at) FROM responses WHERE survey_id = ? AND status IN (...) AND is_test = false
  [AND completed_at ranges] (`exports.query.conditions`). Every column it reads is in the
  index, so PostgreSQL answers it with an index-only scan (716 index pages instead of a
  sequential scan of 18,750 heap pages of JSON answers at 100,000 responses), SQLite with a
  covering index. The language and source filters still read the table.
- PostgreSQL: partial, `WHERE status <> 'in_progress'`. The results' statuses (complete,
  screened_out, quota_full, any list of them) imply the predicate, so the planner uses it; a
  page save of a response in progress adds no entry to it. It does not keep those saves HOT:
  PostgreSQL counts every column of an index, predicate or not, and a save changes
  `updated_at`, so each save now writes a new entry in each of the table's six other indexes:
  with benchmarks/load_bench.py (PostgreSQL, 16 respondents, 15 s, three runs each) 86-88 %
  of the updates were HOT before, none after, for no page-cycle cost measurable on the shared
  machine (13.0-15.6 ms of app CPU per cycle before, 13.9-15.1 after; see docs/results.md).
  A view that includes responses in progress does not use the index.
- SQLite: the whole table. SQLite only uses a partial index when the query repeats its
  predicate, which `status IN (...)` does not.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME = "ix_responses_results_fingerprint"
COLUMNS = ["survey_id", "status", "is_test", "completed_at", "updated_at", "id"]


def upgrade() -> None:
    op.create_index(
        NAME, "responses", COLUMNS, postgresql_where=sa.text("status <> 'in_progress'")
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="responses")
