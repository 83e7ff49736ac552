"""Attribution on every form: utm_content, utm_term, referrer and landing_path on leads (first
touch) and activities (each its own); an index for the campaign filter of every lead list.

Revision ID: t15_attribution
Revises: t14_lead_tags
Create Date: 2026-12-06 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t15_attribution"
down_revision = "t15_callbacks"
branch_labels = None
depends_on = None

LEAD_COLUMNS = ("utm_content", "utm_term", "referrer", "landing_path")
ACTIVITY_COLUMNS = ("utm_content", "utm_term", "landing_path")
LENGTHS = {"utm_content": 100, "utm_term": 100, "referrer": 500, "landing_path": 500}


def upgrade():
    for name in LEAD_COLUMNS:
        op.add_column("leads", sa.Column(name, sa.String(length=LENGTHS[name]), nullable=True))
    for name in ACTIVITY_COLUMNS:
        op.add_column("activities", sa.Column(name, sa.String(length=LENGTHS[name]), nullable=True))
    op.create_index("ix_leads_utm_campaign_created_at", "leads", ["utm_campaign", "created_at", "id"])


def downgrade():
    op.drop_index("ix_leads_utm_campaign_created_at", table_name="leads")
    with op.batch_alter_table("activities") as batch:
        for name in ACTIVITY_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("leads") as batch:
        for name in LEAD_COLUMNS:
            batch.drop_column(name)
