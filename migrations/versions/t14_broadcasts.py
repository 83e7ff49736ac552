"""Broadcasts: the broadcasts table; outbox priority and broadcast_id; the claim index by priority

- broadcasts: a subject, a Markdown body, an audience and when it goes.
- outbox_messages.priority: the claim order (0 transactional, 1 marketing, 2 broadcast mail),
  set for the rows still to send from their category; ix_outbox_claimable becomes
  (priority, due_at, id) over the same rows, so a big broadcast waits behind every other mail.
- outbox_messages.broadcast_id and ix_outbox_broadcast_status (broadcast_id, status), partial
  on broadcast_id IS NOT NULL: a broadcast's progress and its cancel.

Revision ID: t14_broadcasts
Revises: t14_mail_content
Create Date: 2026-12-06 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t14_broadcasts"
down_revision = "t14_ebook_offers"
branch_labels = None
depends_on = None

CLAIMABLE = sa.text("status IN ('queued', 'sending')")
FROM_A_BROADCAST = sa.text("broadcast_id IS NOT NULL")


def upgrade():
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("send_at", sa.DateTime(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_broadcasts_created_at", "broadcasts", ["created_at"])
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
    op.execute("UPDATE outbox_messages SET priority = 1 WHERE category = 'marketing' AND status IN ('queued', 'sending')")
    op.drop_index("ix_outbox_claimable", table_name="outbox_messages")
    op.create_index(
        "ix_outbox_claimable",
        "outbox_messages",
        ["priority", "due_at", "id"],
        sqlite_where=CLAIMABLE,
        postgresql_where=CLAIMABLE,
    )
    op.create_index(
        "ix_outbox_broadcast_status",
        "outbox_messages",
        ["broadcast_id", "status"],
        sqlite_where=FROM_A_BROADCAST,
        postgresql_where=FROM_A_BROADCAST,
    )


def downgrade():
    op.drop_index("ix_outbox_broadcast_status", table_name="outbox_messages")
    op.drop_index("ix_outbox_claimable", table_name="outbox_messages")
    op.create_index(
        "ix_outbox_claimable", "outbox_messages", ["due_at", "id"], sqlite_where=CLAIMABLE, postgresql_where=CLAIMABLE
    )
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("broadcast_id")
        batch.drop_column("priority")
    op.drop_index("ix_broadcasts_created_at", table_name="broadcasts")
    op.drop_table("broadcasts")
