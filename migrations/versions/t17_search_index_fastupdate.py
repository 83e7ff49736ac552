"""The console's lead search answers from the trigram index alone: fastupdate off on
ix_leads_name_email_search, and its pending entries moved into the index now.

With fastupdate on (PostgreSQL's default) new entries wait in an unsorted pending list of up
to gin_pending_list_limit (4 MB) until a vacuum, and every search reads the whole list: at a
million leads that list was half of a search's time. Captures come a few a minute, so writing
their trigrams straight into the index costs nothing anyone waits for. SQLite has no such index.

Revision ID: t17_search_index_fastupdate
Revises: t16_lead_first_offer
Create Date: 2026-12-07 04:45:00
"""

from alembic import op

revision = "t17_search_index_fastupdate"
down_revision = "t16_lead_first_offer"
branch_labels = None
depends_on = None

INDEX = "ix_leads_name_email_search"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
    # Turning it off keeps what already waits in the list: move that into the index.
    op.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")
