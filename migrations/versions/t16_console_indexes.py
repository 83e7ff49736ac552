"""Flat console at a million leads: lead_tags carries its lead's created_at, and the index
(tag_id, lead_created_at, lead_id) gives a tag's leads in the lists' own order; activities get
(kind, lead_id), so the conversion report finds the leads who asked for a call back by a range
of that index instead of reading every activity.

Revision ID: t16_console_indexes
Revises: t16_broadcast_recipients
Create Date: 2026-12-07 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t16_console_indexes"
down_revision = "t16_broadcast_recipients"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("lead_tags", sa.Column("lead_created_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE lead_tags SET lead_created_at = (SELECT leads.created_at FROM leads WHERE leads.id = lead_tags.lead_id)"
    )
    with op.batch_alter_table("lead_tags") as batch:
        batch.alter_column("lead_created_at", existing_type=sa.DateTime(), nullable=False)
    op.create_index("ix_lead_tags_tag_id_created", "lead_tags", ["tag_id", "lead_created_at", "lead_id"])
    op.create_index("ix_activities_kind_lead_id", "activities", ["kind", "lead_id"])


def downgrade():
    op.drop_index("ix_activities_kind_lead_id", table_name="activities")
    op.drop_index("ix_lead_tags_tag_id_created", table_name="lead_tags")
    with op.batch_alter_table("lead_tags") as batch:
        batch.drop_column("lead_created_at")
