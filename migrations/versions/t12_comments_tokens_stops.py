"""comments: used form tokens (a form posts once) and stopped reply notifications

Revision ID: t12_comments_tokens_stops
Revises: t12_staffhooks_session_version
Create Date: 2026-12-01 22:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "t12_comments_tokens_stops"
down_revision = "t12_staffhooks_session_version"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "used_comment_form_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    with op.batch_alter_table("used_comment_form_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_comment_form_tokens_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "comment_reply_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_sha256", sa.String(length=64), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_sha256"),
    )


def downgrade():
    op.drop_table("comment_reply_stops")
    with op.batch_alter_table("used_comment_form_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_comment_form_tokens_expires_at"))
    op.drop_table("used_comment_form_tokens")
