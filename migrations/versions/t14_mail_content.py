"""Words staff edit on /admin/content: mail texts, consent sentence versions, follow-up steps

- mail_texts: a mail's subject and Markdown body replacing templates/email/<key> until restored.
- consent_versions: each wording of a form's consent sentence (never updated; the newest is shown).
- followup_steps: a sequence's steps as staff arranged them (none: FOLLOWUP_DELAYS and the templates).

Revision ID: t14_mail_content
Revises: t13_flat_at_a_million
Create Date: 2026-12-06 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t14_mail_content"
down_revision = "t13_flat_at_a_million"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_texts",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "consent_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form", "version", name="uq_consent_versions_form_version"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_consent_versions_form", "consent_versions", ["form"])
    op.create_table(
        "followup_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("delay_seconds", sa.Integer(), nullable=False),
        sa.Column("during_office_hours", sa.Boolean(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sequence", "position", name="uq_followup_steps_sequence_position"),
    )
    op.create_index("ix_followup_steps_sequence", "followup_steps", ["sequence"])


def downgrade():
    op.drop_index("ix_followup_steps_sequence", table_name="followup_steps")
    op.drop_table("followup_steps")
    op.drop_index("ix_consent_versions_form", table_name="consent_versions")
    op.drop_table("consent_versions")
    op.drop_table("mail_texts")
