"""staff session version: signing out, a new password and switching an account off or on end its sessions

Revision ID: t12_staffhooks_session_version
Revises: fcaf88d88daf
Create Date: 2026-12-01 22:00:00

Switching an account off now also revokes its API tokens; tokens of accounts that are
already switched off are revoked here too, so switching one on later does not revive them.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "t12_staffhooks_session_version"
down_revision = "fcaf88d88daf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))
    # Naive UTC, as the models store every time (the database's clock may keep local time).
    now = datetime.now(UTC).replace(tzinfo=None)
    op.get_bind().execute(
        sa.text(
            "UPDATE api_tokens SET revoked_at = :now WHERE revoked_at IS NULL"
            " AND staff_user_id IN (SELECT id FROM staff_users WHERE NOT active)"
        ),
        {"now": now},
    )


def downgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
