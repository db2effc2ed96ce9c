"""Invitations: contact lists with participation, sending waves, templates, suppressions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

New tables only. No column of `responses` refers to them and they refer to no response:
the personal link reaches its response through a key derived with the application's secret.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "invitation_waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('invitation', 'reminder')", name=op.f("ck_invitation_waves_kind")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_invitation_waves_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_waves")),
    )
    op.create_index(op.f("ix_invitation_waves_survey_id"), "invitation_waves", ["survey_id"])
    op.create_table(
        "invitation_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("attributes", JSON, nullable=False),
        sa.Column("link_key", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("progress", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("unsubscribed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("bounced", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("reminders", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_sent_on", sa.Date(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "progress IN ('pending', 'sent', 'opened', 'started', 'completed')",
            name=op.f("ck_invitation_contacts_progress"),
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_invitation_contacts_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["invitation_waves.id"],
            name=op.f("fk_invitation_contacts_wave_id_invitation_waves"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_contacts")),
        sa.UniqueConstraint(
            "survey_id", "email", name=op.f("uq_invitation_contacts_survey_id_email")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_contacts_token_hash")),
    )
    op.create_index(op.f("ix_invitation_contacts_survey_id"), "invitation_contacts", ["survey_id"])
    op.create_table(
        "invitation_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('invitation', 'reminder')", name=op.f("ck_invitation_templates_kind")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_invitation_templates_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_templates")),
        sa.UniqueConstraint(
            "survey_id",
            "kind",
            "language",
            name=op.f("uq_invitation_templates_survey_id_kind_language"),
        ),
    )
    op.create_table(
        "email_suppressions",
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("email_hash", name=op.f("pk_email_suppressions")),
    )


def downgrade() -> None:
    op.drop_table("email_suppressions")
    op.drop_table("invitation_templates")
    op.drop_index(op.f("ix_invitation_contacts_survey_id"), table_name="invitation_contacts")
    op.drop_table("invitation_contacts")
    op.drop_index(op.f("ix_invitation_waves_survey_id"), table_name="invitation_waves")
    op.drop_table("invitation_waves")
