"""Incremental results: the column store with its high-water mark, and the scope of a view.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

`results_columns` is new (nothing to backfill: the first computation fills it). The new
`results_cache.scope` is nullable: rows written before it have none and are simply never
shown as the latest figures of a view (they are replaced on the next computation).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "results_columns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("read_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("id_sum", sa.BigInteger(), nullable=False),
        sa.Column("revision_sum", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_results_columns_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results_columns")),
        sa.UniqueConstraint("key", name=op.f("uq_results_columns_key")),
    )
    op.create_index(op.f("ix_results_columns_survey_id"), "results_columns", ["survey_id"])
    with op.batch_alter_table("results_cache") as batch:
        batch.add_column(sa.Column("scope", sa.String(64), nullable=True))
        batch.create_index(batch.f("ix_results_cache_scope"), ["scope"])


def downgrade() -> None:
    with op.batch_alter_table("results_cache") as batch:
        batch.drop_index(batch.f("ix_results_cache_scope"))
        batch.drop_column("scope")
    op.drop_index(op.f("ix_results_columns_survey_id"), table_name="results_columns")
    op.drop_table("results_columns")
