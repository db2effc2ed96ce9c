"""The surveys' access CHECK constraint gets the name the models give it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Migration 0006 created it with `op.create_check_constraint("ck_surveys_access", ...)`, and
Alembic applied the models' naming convention (`ck_%(table_name)s_%(constraint_name)s`) to
that already-full name: on PostgreSQL the constraint is `ck_surveys_ck_surveys_access`, while
the models (and a database built from them) call it `ck_surveys_access`. This renames it.

SQLite: nothing to do (0006 added the column with a plain ALTER TABLE whose SQL names the
constraint `ck_surveys_access` already; SQLite cannot rename a constraint anyway).
The rename is skipped when the constraint already has the right name.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DOUBLED = "ck_surveys_ck_surveys_access"
NAME = "ck_surveys_access"


def _rename(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    found = bind.execute(
        sa.text(
            "SELECT 1 FROM pg_constraint WHERE conname = :name "
            "AND conrelid = to_regclass(current_schema() || '.surveys')"
        ),
        {"name": old},
    ).first()
    if found is not None:
        op.execute(f"ALTER TABLE surveys RENAME CONSTRAINT {old} TO {new}")


def upgrade() -> None:
    _rename(DOUBLED, NAME)


def downgrade() -> None:
    _rename(NAME, DOUBLED)  # the name 0006's downgrade drops on PostgreSQL
