"""Ebook offers: more than one ebook, each at /ebook/<slug>, and their requests per hour

- ebooks: the offers staff upload on /admin/ebooks. The default one (/ebook, its PDF at
  EBOOK_PATH) gets its row when it is first asked for or by `demo seed`.
- ebook_request_counts: requests per offer and UTC hour, for the dashboard.

Revision ID: t14_ebook_offers
Revises: t14_mail_content
Create Date: 2026-12-06 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t14_ebook_offers"
down_revision = "t14_lead_tags"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ebooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "ebook_request_counts",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("ebook_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ebook_id"], ["ebooks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("hour", "ebook_id"),
    )


def downgrade():
    op.drop_table("ebook_request_counts")
    op.drop_table("ebooks")
