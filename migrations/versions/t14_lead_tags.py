"""Lead tags: tags (one row per word) and lead_tags (which lead carries which tag)

lead_tags is keyed by (tag_id, lead_id), so a filter by tag is an index range joined to leads;
ix_lead_tags_lead_id serves a lead's own tags and the cascade when a lead is erased or purged.
The sources a lead may have now include "import" (a list staff brought in): a plain string
column, so no schema change for that.

Revision ID: t14_lead_tags
Revises: t13_flat_at_a_million
Create Date: 2026-12-06 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t14_lead_tags"
down_revision = "t14_mail_content"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "lead_tags",
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tag_id", "lead_id"),
    )
    op.create_index("ix_lead_tags_lead_id", "lead_tags", ["lead_id"])


def downgrade():
    op.drop_index("ix_lead_tags_lead_id", table_name="lead_tags")
    op.drop_table("lead_tags")
    op.drop_table("tags")
