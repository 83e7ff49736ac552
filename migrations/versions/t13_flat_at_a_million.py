"""Flat at a million leads: search, dashboard and outbox indexes, status counts, purged dedupe keys

- ix_leads_name_email_search: on PostgreSQL a trigram GIN index (pg_trgm) on first_name and
  email, which serves the console's "part of the name or email" search; on SQLite a btree on
  (first_name, email) for its prefix search.
- lead_status_counts (how many leads are contacted or booked) and lead_hourly_counts (leads
  per UTC hour and source), kept by triggers on leads (leadgen.leads.counts), filled here from
  the leads as they are.
- ix_outbox_sent_at (sent today, the purge), ix_outbox_kind_status (webhook call counts) and
  ix_outbox_claimable, a partial index of the rows still to send, in due order (the claim).
- outbox_purged_keys: the dedupe keys of delivered mail `outbox purge` deleted.

Revision ID: t13_flat_at_a_million
Revises: t12_identity_mailbox
Create Date: 2026-12-06 19:00:00
"""

import sqlalchemy as sa
from alembic import op

from leadgen.leads.counts import COUNT_TRIGGERS

revision = "t13_flat_at_a_million"
down_revision = "t12_identity_mailbox"
branch_labels = None
depends_on = None

TRIGGERS = (
    "leads_status_counts_insert",
    "leads_status_counts_update",
    "leads_status_counts_delete",
    "leads_hourly_counts",
    "leads_hourly_counts_insert",
    "leads_hourly_counts_update",
    "leads_hourly_counts_delete",
)


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_leads_name_email_search",
        "leads",
        ["first_name", "email"],
        postgresql_using="gin",
        postgresql_ops={"first_name": "gin_trgm_ops", "email": "gin_trgm_ops"},
    )
    op.create_index("ix_outbox_sent_at", "outbox_messages", ["sent_at"])
    op.create_index("ix_outbox_kind_status", "outbox_messages", ["kind", "status"])
    claimable = sa.text("status IN ('queued', 'sending')")
    op.create_index(
        "ix_outbox_claimable",
        "outbox_messages",
        ["due_at", "id"],
        sqlite_where=claimable,
        postgresql_where=claimable,
    )
    op.create_table(
        "lead_status_counts",
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status"),
    )
    op.create_table(
        "lead_hourly_counts",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "source"),
    )
    op.create_table(
        "outbox_purged_keys",
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("dedupe_key"),
    )
    # Triggers first: creating them locks leads against writes until this commits, so the
    # counts below miss no change made meanwhile.
    for statement in COUNT_TRIGGERS["postgresql" if postgresql else "sqlite"]:
        op.execute(statement)
    op.execute(
        "INSERT INTO lead_status_counts (status, count)"
        " SELECT status, count(*) FROM leads WHERE status <> 'new' GROUP BY status"
    )
    hour = "date_trunc('hour', created_at)" if postgresql else "substr(created_at, 1, 13) || ':00:00.000000'"
    op.execute(
        f"INSERT INTO lead_hourly_counts (hour, source, count) SELECT {hour}, source, count(*) FROM leads GROUP BY 1, 2"
    )


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON leads" if postgresql else f"DROP TRIGGER IF EXISTS {name}")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS lead_status_counts_change()")
        op.execute("DROP FUNCTION IF EXISTS lead_hourly_counts_change()")
    op.drop_table("outbox_purged_keys")
    op.drop_table("lead_hourly_counts")
    op.drop_table("lead_status_counts")
    op.drop_index("ix_outbox_claimable", table_name="outbox_messages")
    op.drop_index("ix_outbox_kind_status", table_name="outbox_messages")
    op.drop_index("ix_outbox_sent_at", table_name="outbox_messages")
    op.drop_index("ix_leads_name_email_search", table_name="leads")
