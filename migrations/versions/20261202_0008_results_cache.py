"""Results tables shared across workers and hosts (the results page's cache).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A new table only: nothing to backfill; every column is filled by the app when a row is
written. Rows go with their survey (ON DELETE CASCADE); the table may be emptied at any time
(the figures are recomputed on the next request).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "results_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_results_cache_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results_cache")),
        sa.UniqueConstraint("key", name=op.f("uq_results_cache_key")),
    )
    op.create_index(op.f("ix_results_cache_survey_id"), "results_cache", ["survey_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_results_cache_survey_id"), table_name="results_cache")
    op.drop_table("results_cache")
