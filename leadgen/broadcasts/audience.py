"""A broadcast's audience: the one lead filter plus the rule of who may receive marketing mail;
the one INSERT ... SELECT that makes all of them its recipients at once, and the one that
queues its mail to a batch of them in the outbox."""

import secrets

from sqlalchemy import JSON, Integer, Select, String, cast, exists, func, literal, select

from ..database import UTCDateTime, dialect_insert, utcnow
from ..extensions import db
from ..followups.stops import may_receive_marketing
from ..leads.filters import filter_conditions
from ..leads.models import Lead
from ..outbox.models import BROADCAST_PRIORITY, OutboxMessage, PurgedDedupeKey
from ..outbox.service import message_id_domain, wait_for_purges
from .models import Broadcast, BroadcastRecipient

TEMPLATE = "broadcast"  # templates/email/broadcast.txt and .html


def audience_conditions(audience: dict) -> list:
    """WHERE conditions on Lead: the audience's filters, and only leads who may get marketing mail."""
    return [*filter_conditions(audience), *may_receive_marketing()]


def audience_count(audience: dict) -> int:
    """How many leads a broadcast to `audience` would go to now."""
    return db.session.scalar(select(func.count()).select_from(Lead).where(*audience_conditions(audience)))


def sample_lead(audience: dict) -> Lead | None:
    """The first lead of the audience, to preview the mail on (None when nobody is in it)."""
    return db.session.scalars(select(Lead).where(*audience_conditions(audience)).order_by(Lead.id).limit(1)).first()


def broadcast_key_prefix(broadcast_id: int) -> str:
    """What the dedupe keys of a broadcast's mail begin with."""
    return f"broadcast:{broadcast_id}:lead:"


def broadcast_key(broadcast_id: int, lead_id: int) -> str:
    """The dedupe key of a broadcast's mail to one lead: each lead gets a broadcast once."""
    return f"{broadcast_key_prefix(broadcast_id)}{lead_id}"


def broadcast_key_of_lead(broadcast_id: int):
    """broadcast_key(broadcast_id, Lead.id) as SQL, for choosing many leads at once."""
    return literal(broadcast_key_prefix(broadcast_id)) + cast(Lead.id, String)


def recipient_rows(broadcast: Broadcast, audience: dict) -> tuple[list[str], Select]:
    """The broadcast_recipients columns and the SELECT of (broadcast, lead) for every lead of
    `audience` (loaded filters) whose mail the broadcast has not queued yet.

    A lead whose mail is in the outbox already, or whose key `outbox purge` kept (it still
    means "already sent"), is left out: sending again adds only who joined the audience since.
    """
    dedupe_key = broadcast_key_of_lead(broadcast.id)
    queued = exists().where(OutboxMessage.dedupe_key == dedupe_key)
    purged = exists().where(PurgedDedupeKey.dedupe_key == dedupe_key)
    rows = select(literal(broadcast.id, Integer), Lead.id).where(*audience_conditions(audience), ~queued, ~purged)
    return ["broadcast_id", "lead_id"], rows


def queue_recipients(broadcast: Broadcast, audience: dict, *, new_broadcast: bool) -> int:
    """Add every lead of `audience` (loaded filters) the broadcast has not reached to its
    recipients, in the caller's transaction; returns how many were added.

    One INSERT ... SELECT of two ids per lead (recipient_rows). Sending it again, ON CONFLICT
    DO NOTHING on the primary key keeps the recipients still waiting from an earlier send: it
    adds nothing twice. A new broadcast has none, and goes without: on PostgreSQL the clause
    makes the statement half as slow again (bench/broadcast). The outbox worker turns the
    recipients into mail (broadcasts.recipients), and the stop rules are asked again at send
    time (outbox.policy), as for all marketing mail.
    """
    wait_for_purges()
    columns, rows = recipient_rows(broadcast, audience)
    statement = dialect_insert(BroadcastRecipient.__table__).from_select(columns, rows)
    if not new_broadcast:
        statement = statement.on_conflict_do_nothing(index_elements=columns)
    # preserve_rowcount: SQLAlchemy 2.1 otherwise reports -1 for an INSERT ... SELECT on PostgreSQL.
    return db.session.connection().execute(statement, execution_options={"preserve_rowcount": True}).rowcount


def broadcast_rows(broadcast: Broadcast, lead_ids: list[int]) -> tuple[list[str], Select]:
    """The outbox columns and the SELECT of one queued mail per lead of `lead_ids`.

    The dedupe key and a Message-ID unique to the row are built in SQL; a key `outbox purge`
    kept is left out (it still means "already sent").
    """
    now = utcnow()
    lead_id_text = cast(Lead.id, String)
    dedupe_key = broadcast_key_of_lead(broadcast.id)
    # Unique per row (the broadcast and the lead), and not guessable from outside (the nonce).
    nonce = secrets.token_hex(8)
    message_id = literal(f"<b{broadcast.id}.{nonce}.") + lead_id_text + literal(f"@{message_id_domain()}>")
    columns = {
        "kind": literal("email"),
        "category": literal("marketing"),
        "priority": literal(BROADCAST_PRIORITY, Integer),
        "broadcast_id": literal(broadcast.id, Integer),
        "recipient": Lead.email,
        "recipient_name": Lead.first_name,
        "template": literal(TEMPLATE),
        "context": literal({"broadcast_id": broadcast.id}, JSON),
        "lead_id": Lead.id,
        "dedupe_key": dedupe_key,
        "message_id": message_id,
        "status": literal("queued"),
        "due_at": literal(broadcast.send_at, UTCDateTime()),
        "attempts": literal(0, Integer),
        "created_at": literal(now, UTCDateTime()),
    }
    purged = exists().where(PurgedDedupeKey.dedupe_key == dedupe_key)
    return list(columns), select(*columns.values()).where(Lead.id.in_(lead_ids), ~purged)


def queue_broadcast_mail(broadcast: Broadcast, lead_ids: list[int]) -> int:
    """Queue the broadcast's mail to the leads of `lead_ids` in the outbox, in the caller's
    transaction; returns how many were queued.

    One INSERT ... SELECT (broadcast_rows) with ON CONFLICT DO NOTHING on the dedupe key: a
    lead never gets a broadcast twice, however often it is queued.
    """
    wait_for_purges()
    columns, rows = broadcast_rows(broadcast, lead_ids)
    statement = (
        dialect_insert(OutboxMessage.__table__)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return db.session.connection().execute(statement, execution_options={"preserve_rowcount": True}).rowcount
