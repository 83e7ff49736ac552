"""Mail provider events: bounces and complaints reported at POST /hooks/mail/<provider>

- leads.complained_at: the person marked our mail as spam (the provider said so).
- leads.soft_bounces: soft bounces since the last delivery; three in a row mark the address bounced.
- mail_events: one row per bounce or complaint about a known lead (the dashboard's 30-day rates).
- mail_event_receipts: provider messages already applied (SNS MessageId, Mailgun token, Postmark ID).

Both new columns are added in place (a constant default: no rewrite of a million leads on
PostgreSQL 11+, a plain ADD COLUMN on SQLite).

Revision ID: t15_mail_events
Revises: t14_mail_content
Create Date: 2026-12-06 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t15_mail_events"
down_revision = "t14_broadcasts"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("leads", sa.Column("complained_at", sa.DateTime(), nullable=True))
    op.add_column("leads", sa.Column("soft_bounces", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "mail_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mail_events_created_at_kind", "mail_events", ["created_at", "kind"])
    op.create_index("ix_mail_events_lead_id", "mail_events", ["lead_id"])
    op.create_table(
        "mail_event_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "key", name="uq_mail_event_receipts_provider_key"),
    )
    op.create_index("ix_mail_event_receipts_received_at", "mail_event_receipts", ["received_at"])


def downgrade():
    op.drop_index("ix_mail_event_receipts_received_at", table_name="mail_event_receipts")
    op.drop_table("mail_event_receipts")
    op.drop_index("ix_mail_events_lead_id", table_name="mail_events")
    op.drop_index("ix_mail_events_created_at_kind", table_name="mail_events")
    op.drop_table("mail_events")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("soft_bounces")
        batch_op.drop_column("complained_at")
