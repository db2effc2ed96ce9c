"""Users get a `must_change_password` flag, set by an admin password reset.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

NOT NULL with a server default of false: existing accounts keep working as before, no backfill.
Batch mode so SQLite rebuilds the table; PostgreSQL adds the column in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("must_change_password")
