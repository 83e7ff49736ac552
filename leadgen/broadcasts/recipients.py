"""A broadcast's recipients on their way to the outbox: the outbox worker's step before each batch
turns them into mail a batch at a time, only when the broadcast is due and only as far as
BROADCAST_RATE leaves room, so a big broadcast never floods the outbox."""

from flask import current_app
from sqlalchemy import delete, exists, func, select

from ..database import is_postgresql, utcnow
from ..extensions import db
from ..outbox.claims import broadcast_mail_wanted
from .audience import queue_broadcast_mail
from .models import Broadcast, BroadcastRecipient


def of_broadcast(broadcast_id: int):
    """The condition of a broadcast's waiting recipients (a range of the primary key)."""
    return BroadcastRecipient.broadcast_id == broadcast_id


def waiting_recipients(broadcast_id: int) -> int:
    """How many of a broadcast's recipients are not in the outbox yet."""
    return db.session.scalar(select(func.count()).select_from(BroadcastRecipient).where(of_broadcast(broadcast_id)))


def waiting_by_broadcast() -> dict[int, int]:
    """How many recipients are not in the outbox yet, per broadcast that has any (one walk of the primary key)."""
    query = select(BroadcastRecipient.broadcast_id, func.count()).group_by(BroadcastRecipient.broadcast_id)
    return dict(db.session.execute(query).all())


def drop_waiting_recipients(broadcast_id: int) -> int:
    """Delete a broadcast's waiting recipients, in the caller's transaction; how many there were."""
    return db.session.execute(delete(BroadcastRecipient).where(of_broadcast(broadcast_id))).rowcount


def due_broadcasts(now) -> list[Broadcast]:
    """Broadcasts due by `now`, not cancelled, with recipients waiting; the earliest first."""
    waiting = exists().where(of_broadcast(Broadcast.id))
    query = select(Broadcast).where(Broadcast.status == "queued", Broadcast.send_at <= now, waiting)
    return list(db.session.scalars(query.order_by(Broadcast.send_at, Broadcast.id)))


def take_batch(broadcast: Broadcast, limit: int) -> list[int]:
    """The lead ids of up to `limit` of the broadcast's waiting recipients, locked on PostgreSQL
    (SKIP LOCKED: workers side by side take different leads)."""
    query = (
        select(BroadcastRecipient.lead_id)
        .where(of_broadcast(broadcast.id))
        .order_by(BroadcastRecipient.lead_id)
        .limit(limit)
    )
    if is_postgresql():
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def queue_due_recipients() -> int:
    """Turn waiting recipients of due broadcasts into outbox mail, as much as the next claim may
    take, and commit; returns how many recipients were taken.

    Per batch: one INSERT ... SELECT into the outbox (audience.queue_broadcast_mail) and the
    DELETE of those recipients, in one transaction. Run by the outbox worker before each batch.
    """
    now = utcnow()
    wanted = broadcast_mail_wanted(now, current_app.config["OUTBOX_BATCH_SIZE"])
    taken = 0
    for broadcast in due_broadcasts(now) if wanted else ():  # no room: the broadcasts are not even read
        if not (lead_ids := take_batch(broadcast, wanted - taken)):
            continue  # another worker holds them
        queue_broadcast_mail(broadcast, lead_ids)
        db.session.execute(
            delete(BroadcastRecipient).where(of_broadcast(broadcast.id), BroadcastRecipient.lead_id.in_(lead_ids))
        )
        taken += len(lead_ids)
        if taken >= wanted:
            break
    db.session.commit()
    return taken
