"""Background jobs: state, progress, lease and result file of heavy exports and computations.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

A new table only: nothing to backfill. NOT NULL counters have server defaults. Rows go with
their survey (ON DELETE CASCADE); the files under <instance>/jobs/<survey id>/ are removed by
the worker's retention sweep once their row is gone.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("state", sa.String(16), server_default="queued", nullable=False),
        sa.Column("done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.String(32), nullable=True),
        sa.Column("error_text", sa.Text(), nullable=True),
        sa.Column("file_path", sa.String(255), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("created_by_type", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=True),
        _ts("created_at", nullable=False),
        _ts("started_at"),
        _ts("heartbeat_at"),
        _ts("finished_at"),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_jobs_state")
        ),
        sa.CheckConstraint("done >= 0", name=op.f("ck_jobs_done")),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_jobs_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_survey_id_created_at", "jobs", ["survey_id", "created_at"])
    op.create_index("ix_jobs_state_heartbeat_at", "jobs", ["state", "heartbeat_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_state_heartbeat_at", table_name="jobs")
    op.drop_index("ix_jobs_survey_id_created_at", table_name="jobs")
    op.drop_table("jobs")
