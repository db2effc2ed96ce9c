"""SQLite never hands out a deleted response's (or API token's) id again; surveys get `access`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Without AUTOINCREMENT, SQLite gives a new row max(id) + 1: after the newest response is
withdrawn or erased, the next respondent gets its id, and the audit line `response.withdraw
target=<id>` (or a merged export) then points at another person. AUTOINCREMENT keeps the
highest id ever used in `sqlite_sequence`. API token ids are written in audit details too.
Audit events, users, surveys and quota cells are never deleted, so their ids cannot be reused.

PostgreSQL: nothing to do (a sequence never goes back).

SQLite needs the table rebuilt (batch "recreate"). Rebuilding drops the old table, and with
foreign keys on (every connection of ours) that DROP first deletes its rows, which cascades to
`quota_claims`: those rows are set aside in a temporary table and put back afterwards, with
their original ids (the copy keeps every id). `sqlite_sequence` starts at the current
max(id), so no id is ever reused from then on.

`surveys.access` (`open` | `invitation`): NOT NULL with a server default, so existing surveys
stay open. On SQLite it is added with a plain ALTER TABLE (a batch rebuild of `surveys` would
cascade-delete every response through the DROP), and dropped the same way (SQLite >= 3.35).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _rebuild(table: str, autoincrement: bool) -> None:
    with op.batch_alter_table(
        table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def _rebuild_all(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TEMP TABLE keep_quota_claims AS SELECT * FROM quota_claims")
    _rebuild("responses", autoincrement)
    _rebuild("api_tokens", autoincrement)
    op.execute("DELETE FROM quota_claims")  # nothing left after the cascade; no duplicate
    op.execute("INSERT INTO quota_claims SELECT * FROM keep_quota_claims")
    op.execute("DROP TABLE keep_quota_claims")


ACCESS_CHECK = "access IN ('open', 'invitation')"


def upgrade() -> None:
    _rebuild_all(True)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE surveys ADD COLUMN access VARCHAR(16) DEFAULT 'open' NOT NULL "
            f"CONSTRAINT ck_surveys_access CHECK ({ACCESS_CHECK})"
        )
    else:
        op.add_column(
            "surveys", sa.Column("access", sa.String(16), server_default="open", nullable=False)
        )
        op.create_check_constraint("ck_surveys_access", "surveys", ACCESS_CHECK)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE surveys DROP COLUMN access")
    else:
        op.drop_constraint("ck_surveys_access", "surveys", type_="check")
        op.drop_column("surveys", "access")
    _rebuild_all(False)


