"""Responses keep typed-but-unsubmitted values in their own column.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Adds the nullable column `responses.draft` (JSON; JSONB on PostgreSQL), where the respondent
service keeps what was typed on a page but not submitted. It came with that service: no
earlier code stored drafts (neither in `responses.params`, which holds only recruitment
parameters, nor anywhere else), so the migration moves no data. A nullable column needs no
default or backfill.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responses") as batch_op:
        batch_op.add_column(
            sa.Column("draft", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_column("draft")
