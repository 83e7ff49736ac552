"""Webinar attendance and changes: who came, the recording, the after-the-webinar mail

- webinars.replay_url: the recording, linked from the after mail and from late join links.
- webinars.after_mail_queued_at: when the thank-you / "sorry we missed you" mail was queued.
- webinar_registrations.attended_at: first use of the join link in its window, or the attendee CSV.

Revision ID: t15_webinar_attendance
Revises: t14_mail_content
Create Date: 2026-12-06 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t15_webinar_attendance"
down_revision = "t15_mail_events"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webinars") as batch:
        batch.add_column(sa.Column("replay_url", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("after_mail_queued_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("webinar_registrations") as batch:
        batch.add_column(sa.Column("attended_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("webinar_registrations") as batch:
        batch.drop_column("attended_at")
    with op.batch_alter_table("webinars") as batch:
        batch.drop_column("after_mail_queued_at")
        batch.drop_column("replay_url")
