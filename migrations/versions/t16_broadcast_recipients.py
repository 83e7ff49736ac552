"""A lean queue of a broadcast's recipients: (broadcast, lead) rows the outbox worker turns into
mail a batch at a time; how many recipients a cancel removed before they became mail.

Revision ID: t16_broadcast_recipients
Revises: t15_attribution
Create Date: 2026-12-07 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t16_broadcast_recipients"
down_revision = "t15_attribution"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "broadcast_recipients",
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("broadcast_id", "lead_id"),
    )
    op.add_column(
        "broadcasts", sa.Column("cancelled_recipients", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )


def downgrade():
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("cancelled_recipients")
    op.drop_table("broadcast_recipients")
