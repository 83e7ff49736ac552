""""Call me back" requests: the phone number and best time a visitor left, and where the call stands

- callback_requests: one row per request (open, called, no_answer, booked), erased with the lead.

Revision ID: t15_callbacks
Revises: t14_mail_content
Create Date: 2026-12-06 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t15_callbacks"
down_revision = "t15_webinar_attendance"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("best_time", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("handled_by", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_callback_requests_lead_id", "callback_requests", ["lead_id"])
    op.create_index("ix_callback_requests_status_created_at", "callback_requests", ["status", "created_at"])


def downgrade():
    op.drop_index("ix_callback_requests_status_created_at", table_name="callback_requests")
    op.drop_index("ix_callback_requests_lead_id", table_name="callback_requests")
    op.drop_table("callback_requests")
