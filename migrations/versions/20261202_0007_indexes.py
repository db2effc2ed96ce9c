"""Indexes for the queries the dashboard, exports, quota report and audit lookups make.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Indexes only: no data changes, nothing to backfill, the same statements on SQLite and
PostgreSQL. On a large PostgreSQL table each CREATE INDEX locks writes to its table while it
builds; run this migration outside fieldwork hours (or create the indexes CONCURRENTLY by hand
beforehand with the same names, which this migration then cannot re-create: drop them first).

- responses(survey_id, started_at): dashboard starts by day, exports with responses in progress
  (coalesce(completed_at, started_at)); the finished-response queries already use
  ix_responses_survey_status_completed.
- responses(version_id): the quota report's versions of responses in progress, and the
  foreign key (a version's responses are looked up when a survey goes).
- audit_events(survey_id, action, at): when a survey was closed (invitation participation),
  and the foreign key's SET NULL when a survey is deleted.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_responses_survey_id_started_at", "responses", ["survey_id", "started_at"]),
    ("ix_responses_version_id", "responses", ["version_id"]),
    ("ix_audit_events_survey_id_action_at", "audit_events", ["survey_id", "action", "at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
