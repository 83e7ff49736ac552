"""Broadcasts: queue one marketing mail for an audience, follow its progress, cancel what has not gone."""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from ..database import utcnow
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..outbox.service import cancel_queued, enqueue
from .audience import TEMPLATE, audience_count, queue_recipients, sample_lead
from .mail import SAMPLE_FIRST_NAME, rendered_parts
from .models import Broadcast, BroadcastRecipient
from .recipients import drop_waiting_recipients, waiting_by_broadcast, waiting_recipients
from .schemas import audience_schema

NOBODY = "Nobody in this audience may receive marketing mail."


@dataclass
class BroadcastRefused(Exception):
    """A broadcast that cannot be sent, with the field to show the message beside."""

    field: str
    message: str


def create_broadcast(data: dict, created_by: str) -> Broadcast:
    """Save a broadcast (BroadcastCreateSchema's data) and its recipients, in one transaction.

    Its mail is due at `send_at` (default now): from then the outbox worker turns the
    recipients into mail, at BROADCAST_RATE (broadcasts.recipients). Nobody in the audience
    who may receive marketing mail: BroadcastRefused, and nothing is saved or queued.
    """
    audience = data.get("audience") or {}
    broadcast = Broadcast(
        subject=data["subject"],
        body=data["body"],
        audience=audience_schema().dump(audience),
        send_at=data.get("send_at") or utcnow(),
        created_by=created_by,
    )
    db.session.add(broadcast)
    db.session.flush()  # its id names the recipients and the dedupe keys
    broadcast.recipients = queue_recipients(broadcast, audience, new_broadcast=True)
    if broadcast.recipients == 0:
        db.session.rollback()
        raise BroadcastRefused("audience", NOBODY)
    db.session.commit()
    return broadcast


def queue_again(broadcast: Broadcast) -> int:
    """Send a queued broadcast to whoever joined its audience since; how many that was.

    Everyone it was queued for is left out (waiting, or in the outbox by their dedupe key).
    """
    hold(broadcast)
    if broadcast.status == "cancelled":
        return 0
    added = queue_recipients(broadcast, audience_schema().load(broadcast.audience), new_broadcast=False)
    broadcast.recipients += added
    db.session.commit()
    return added


def hold(broadcast: Broadcast) -> None:
    """Lock the broadcast's row to the commit and read it again (on SQLite the write lock does):
    a send again and a cancel of one broadcast go one after the other, never side by side."""
    db.session.refresh(broadcast, with_for_update=True)


def get_broadcast(broadcast_id: int) -> Broadcast | None:
    """The broadcast with this id, or None."""
    return db.session.get(Broadcast, broadcast_id)


def recent_broadcasts(limit: int = 50) -> list[Broadcast]:
    """The latest broadcasts first."""
    return list(db.session.scalars(select(Broadcast).order_by(Broadcast.created_at.desc()).limit(limit)))


def broadcast_progress(broadcast: Broadcast) -> dict:
    """id, status (scheduled, sending, sent, cancelled), recipients, sent, skipped, failed, queued.

    Counted from the broadcast's outbox rows (the ix_outbox_broadcast_status range) and its
    recipients not turned into mail yet (a range of their primary key), which are queued too.
    Skipped is what did not go: a stop rule at send time (unsubscribed, bounced, booked) or a
    cancel (of mail in the outbox, or of recipients still waiting).
    """
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.broadcast_id == broadcast.id)
            .group_by(OutboxMessage.status)
        ).all()
    )
    queued = waiting_recipients(broadcast.id) + counts.get("queued", 0) + counts.get("sending", 0)
    if broadcast.status == "cancelled":
        status = "cancelled"
    elif queued and broadcast.send_at > utcnow():
        status = "scheduled"
    else:
        status = "sending" if queued else "sent"
    return {
        "id": broadcast.id,
        "status": status,
        "recipients": broadcast.recipients,
        "sent": counts.get("sent", 0),
        "skipped": counts.get("cancelled", 0) + broadcast.cancelled_recipients,
        "failed": counts.get("failed", 0),
        "queued": queued,
    }


def recipients_waiting() -> dict:
    """recipients, broadcasts: the broadcast mail that will go but is not in the outbox yet (the
    worker turns it into outbox mail a batch at a time), and of how many broadcasts."""
    counts = waiting_by_broadcast()
    return {"recipients": sum(counts.values()), "broadcasts": len(counts)}


def broadcasts_waiting_for(lead_id: int) -> list[Broadcast]:
    """The broadcasts whose mail to this lead is not in the outbox yet, the earliest due first.

    The primary key starts with the broadcast and is the table's only index (for the speed of
    sending, bench/broadcast), so this reads every waiting row, as erasure's delete of them does.
    """
    query = select(Broadcast).join(BroadcastRecipient, BroadcastRecipient.broadcast_id == Broadcast.id)
    return list(db.session.scalars(query.where(BroadcastRecipient.lead_id == lead_id).order_by(Broadcast.send_at)))


def cancel_broadcast(broadcast: Broadcast) -> int:
    """Stop what has not gone: its waiting recipients are dropped and its queued mail is
    cancelled (mail being sent now still goes); how many will not go."""
    hold(broadcast)
    if broadcast.status == "cancelled":
        return 0
    # Recipients first: on PostgreSQL this waits for a worker turning some into mail, and the
    # cancel of the queued mail below then sees what it queued.
    broadcast.cancelled_recipients = drop_waiting_recipients(broadcast.id)
    stopped = cancel_queued(OutboxMessage.broadcast_id == broadcast.id)
    broadcast.status, broadcast.cancelled_at = "cancelled", utcnow()
    db.session.commit()
    return broadcast.cancelled_recipients + stopped


def count_audience(audience: dict) -> int:
    """How many leads a broadcast to `audience` (loaded filters) would go to now."""
    return audience_count(audience)


def preview(data: dict) -> dict:
    """The mail as the first lead of the audience would get it (a made-up one if nobody is in it)."""
    lead = sample_lead(data.get("audience") or {})
    first_name = lead.first_name if lead else SAMPLE_FIRST_NAME
    return {**rendered_parts(data["subject"], data["body"], first_name), "first_name": first_name}


def send_test(data: dict, staff_email: str) -> None:
    """Queue the mail, as the preview shows it, to the staff member (its subject starts "[Test]")."""
    enqueue(
        template=TEMPLATE,
        recipient=staff_email,
        dedupe_key=f"broadcast-test:{uuid.uuid4().hex}",
        context={
            "broadcast_test": True,
            "subject": data["subject"],
            "body": data["body"],
            "first_name": preview(data)["first_name"],
        },
    )
    db.session.commit()
