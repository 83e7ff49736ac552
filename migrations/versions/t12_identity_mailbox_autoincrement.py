"""One lead per mailbox (merge duplicates, canonical addresses); ids never reused on SQLite

Every stored address becomes its canonical form (leadgen.fields.canonical_email: NFC
local part in lower case, IDNA ASCII domain). Leads whose addresses are one mailbox are merged
into the oldest: every row that names a merged lead (consents, activities, comments, outbox
messages, registrations, and any other table with a foreign key to leads.id) moves to it, and
it keeps the strongest state (booked over contacted over new; unsubscribed and bounced stay so;
consent and confirmation kept). Two registrations for one webinar become one, freeing a seat,
and queued mail the merged lead already has queued is cancelled rather than sent twice.

On SQLite every table holding personal data is rebuilt with AUTOINCREMENT (see
leadgen.database.NEVER_REUSE_IDS); env.py turns foreign keys off while tables are rebuilt.

Revision ID: t12_identity_mailbox
Revises: t12_comments_tokens_stops
Create Date: 2026-12-01 22:00:00
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from leadgen.fields import normalise_email

revision = "t12_identity_mailbox"
down_revision = "t12_comments_tokens_stops"
branch_labels = None
depends_on = None

PERSONAL_TABLES = (
    "leads",
    "consents",
    "activities",
    "export_logs",
    "erased_leads",
    "staff_users",
    "api_tokens",
    "comments",
    "webinar_registrations",
    "outbox_messages",
)
STATUS_STRENGTH = {"new": 0, "contacted": 1, "booked": 2}
UNSENT = ("queued", "sending", "failed")


def upgrade():
    bind = op.get_bind()
    merge_leads_of_one_mailbox(bind)
    canonical_addresses(bind, "comments", "email")
    canonical_addresses(bind, "outbox_messages", "recipient", kind="email", status=UNSENT)
    canonical_addresses(bind, "staff_users", "email", unique=True)
    if bind.dialect.name == "sqlite":
        rebuild_tables(autoincrement=True)


def downgrade():
    # Merged leads stay merged (which row was whose is not kept); only the table option goes.
    if op.get_bind().dialect.name == "sqlite":
        rebuild_tables(autoincrement=False)


def rebuild_tables(*, autoincrement: bool) -> None:
    """SQLite fixes AUTOINCREMENT at CREATE TABLE: copy each table into a new one."""
    for name in PERSONAL_TABLES:
        with op.batch_alter_table(name, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass
    broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"rows left without their parent after the rebuild: {broken[:5]}")


def table(bind, name: str) -> sa.Table:
    """The table as it is now (with whatever columns other migrations added)."""
    return sa.Table(name, sa.MetaData(), autoload_with=bind)


def merge_leads_of_one_mailbox(bind) -> None:
    """Group leads by canonical address; merge each group into its oldest; store canonical addresses."""
    leads = table(bind, "leads")
    groups = defaultdict(list)
    for row in bind.execute(sa.select(leads).order_by(leads.c.created_at, leads.c.id)).mappings():
        groups[normalise_email(row["email"])].append(dict(row))
    for rows in groups.values():
        if len(rows) > 1:
            merge_group(bind, leads, rows)
    # After every merge: a canonical address is then held by no other lead.
    for email, rows in groups.items():
        if rows[0]["email"] != email:
            bind.execute(leads.update().where(leads.c.id == rows[0]["id"]).values(email=email))


def merged_state(rows: list[dict]) -> dict:
    """The values of the kept (oldest) lead that the others strengthen."""
    keep = rows[0]
    unsubscribed = [row["unsubscribed_at"] for row in rows if row["unsubscribed_at"]]
    bounced = [row["bounced_at"] for row in rows if row["bounced_at"]]
    confirmed = [row["confirmed_at"] for row in rows if row["confirmed_at"]]
    names = [row["first_name"] for row in rows if row["first_name"]]
    first_touch = next((row for row in rows if row["utm_source"] or row["utm_medium"] or row["utm_campaign"]), keep)
    return {
        "status": max((row["status"] for row in rows), key=lambda status: STATUS_STRENGTH.get(status, -1)),
        "marketing_consent": any(row["marketing_consent"] for row in rows),
        "unsubscribed_at": max(unsubscribed, default=None),
        "bounced_at": max(bounced, default=None),
        "confirmed_at": min(confirmed, default=None),
        "first_name": keep["first_name"] or (names[-1] if names else ""),
        "utm_source": first_touch["utm_source"],
        "utm_medium": first_touch["utm_medium"],
        "utm_campaign": first_touch["utm_campaign"],
        "updated_at": max(row["updated_at"] for row in rows),
    }


def merge_group(bind, leads: sa.Table, rows: list[dict]) -> None:
    """Move everything of the newer leads to the oldest, then delete the newer ones."""
    keep, merged = rows[0]["id"], [row["id"] for row in rows[1:]]
    merge_registrations(bind, keep, merged)
    merge_queued_mail(bind, keep, merged)
    inspector = sa.inspect(bind)
    for name in inspector.get_table_names():
        for foreign_key in inspector.get_foreign_keys(name):
            if foreign_key["referred_table"] == "leads" and name != "leads":
                [column] = foreign_key["constrained_columns"]
                move_children(bind, inspector, name, column, keep, merged)
    bind.execute(leads.update().where(leads.c.id == keep).values(merged_state(rows)))
    bind.execute(leads.delete().where(leads.c.id.in_(merged)))


def move_children(bind, inspector, name: str, column: str, keep: int, merged: list[int]) -> None:
    """Point a table's rows at the kept lead. Where a unique constraint holds the lead column
    (a tag, say), a merged lead's row the kept lead already has is the same fact: it goes."""
    children = table(bind, name)
    kept = children.alias("kept")  # the kept lead's rows, in a subquery of the same table
    uniques = [unique["column_names"] for unique in inspector.get_unique_constraints(name)]
    uniques += [index["column_names"] for index in inspector.get_indexes(name) if index["unique"]]
    for merged_id in merged:  # one at a time: two merged leads may share a tag too
        for columns in (columns for columns in uniques if column in columns):
            others = [other for other in columns if other != column]
            keeps = sa.select(*(kept.c[other] for other in others) or [kept.c[column]]).where(kept.c[column] == keep)
            duplicate = sa.tuple_(*(children.c[other] for other in others)).in_(keeps) if others else keeps.exists()
            bind.execute(children.delete().where(children.c[column] == merged_id, duplicate))
        bind.execute(children.update().where(children.c[column] == merged_id).values({column: keep}))


def merge_registrations(bind, keep: int, merged: list[int]) -> None:
    """One registration per webinar: keep the live (else the older) one; two live ones held two seats."""
    registrations, webinars = table(bind, "webinar_registrations"), table(bind, "webinars")
    outbox = table(bind, "outbox_messages")
    query = sa.select(registrations).where(registrations.c.lead_id.in_([keep, *merged]))
    by_webinar = defaultdict(list)
    for row in bind.execute(query.order_by(registrations.c.created_at, registrations.c.id)).mappings():
        by_webinar[row["webinar_id"]].append(row)
    for webinar_id, rows in by_webinar.items():
        survivor = next((row for row in rows if row["status"] == "registered"), rows[0])
        dropped = [row for row in rows if row["id"] != survivor["id"]]
        for row in dropped:
            prefix = f"webinar:{webinar_id}:reg:{row['id']}:"
            bind.execute(cancelled(outbox, outbox.c.dedupe_key.startswith(prefix, autoescape=True)))
            bind.execute(registrations.delete().where(registrations.c.id == row["id"]))
        live = sum(1 for row in dropped if row["status"] == "registered")
        if live:
            seats = sa.case((webinars.c.seats_taken > live, webinars.c.seats_taken - live), else_=0)
            bind.execute(webinars.update().where(webinars.c.id == webinar_id).values(seats_taken=seats))
        bind.execute(registrations.update().where(registrations.c.id == survivor["id"]).values(lead_id=keep))


def cancelled(outbox: sa.Table, *conditions):
    """UPDATE that cancels the queued messages matching the conditions (one person, one mail)."""
    return (
        outbox.update()
        .where(outbox.c.status == "queued", *conditions)
        .values(status="cancelled", last_error="cancelled: the lead was merged into an older lead of the same mailbox")
    )


def merge_queued_mail(bind, keep: int, merged: list[int]) -> None:
    """Queued mail of the merged leads: cancelled where the kept lead has the same mail queued;
    otherwise it names the kept lead (its context too: unsubscribe links are made from it)."""
    outbox = table(bind, "outbox_messages")
    queued = sa.select(outbox.c.template).where(outbox.c.lead_id == keep, outbox.c.status == "queued")
    bind.execute(cancelled(outbox, outbox.c.lead_id.in_(merged), outbox.c.template.in_(queued)))
    still = sa.select(outbox.c.id, outbox.c.context).where(outbox.c.lead_id.in_(merged), outbox.c.status.in_(UNSENT))
    for message_id, context in bind.execute(still).all():
        if isinstance(context, dict) and "lead_id" in context:
            bind.execute(outbox.update().where(outbox.c.id == message_id).values(context={**context, "lead_id": keep}))


def canonical_addresses(bind, name: str, column: str, *, kind=None, status=(), unique=False) -> None:
    """Rewrite a column of addresses to their canonical form (a unique one only where that is free)."""
    rows = table(bind, name)
    query = sa.select(rows.c[column]).distinct().where(rows.c[column].is_not(None))
    if kind:
        query = query.where(rows.c.kind == kind)
    if status:
        query = query.where(rows.c.status.in_(status))
    taken = set(bind.execute(sa.select(rows.c[column])).scalars()) if unique else set()
    for (address,) in bind.execute(query).all():
        canonical = normalise_email(address)
        if canonical == address or canonical in taken:
            continue
        change = rows.update().where(rows.c[column] == address)
        if kind:
            change = change.where(rows.c.kind == kind)
        if status:
            change = change.where(rows.c.status.in_(status))
        bind.execute(change.values({column: canonical}))
        taken.add(canonical)
