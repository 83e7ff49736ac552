"""The lead's first offer on the lead: leads.first_offer holds the ebook title or webinar slug its
earliest activity naming one records (as the conversion report read it, one lookup per lead),
filled here from the activities in one UPDATE; capture keeps it from now on. The report by offer
then reads the leads of its days alone.

Revision ID: t16_lead_first_offer
Revises: t16_console_indexes
Create Date: 2026-12-07 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "t16_lead_first_offer"
down_revision = "t16_console_indexes"
branch_labels = None
depends_on = None

# The tables as this migration knows them (the models may change later); the JSON type compiles
# the detail's keys for each database (->> on PostgreSQL, JSON_EXTRACT on SQLite).
leads = sa.table("leads", sa.column("id", sa.Integer), sa.column("first_offer", sa.String))
activities = sa.table(
    "activities", sa.column("id", sa.Integer), sa.column("lead_id", sa.Integer), sa.column("detail", sa.JSON)
)


def upgrade():
    op.add_column("leads", sa.Column("first_offer", sa.String(length=200), nullable=True))
    ebook, webinar = activities.c.detail["ebook"].as_string(), activities.c.detail["webinar"].as_string()
    # Each lead's activities naming an offer, numbered oldest first; the first is the lead's.
    named = (
        sa.select(
            activities.c.lead_id,
            sa.func.coalesce(ebook, webinar).label("offer"),
            sa.func.row_number().over(partition_by=activities.c.lead_id, order_by=activities.c.id).label("nth"),
        )
        .where(sa.or_(ebook.is_not(None), webinar.is_not(None)))
        .subquery("named")
    )
    earliest = sa.select(named.c.lead_id, named.c.offer).where(named.c.nth == 1).subquery("earliest")
    op.execute(leads.update().where(leads.c.id == earliest.c.lead_id).values(first_offer=earliest.c.offer))


def downgrade():
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("first_offer")
