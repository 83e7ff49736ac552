"""Claims: which worker is sending which due messages, and until when."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, text, update

from ..database import is_postgresql, utcnow
from ..extensions import db
from .models import BROADCAST_PRIORITY, CLAIMABLE, OutboxMessage

# One send waits for at most this many answers (MAIL, RCPT, DATA, the end of the data, and
# writing the message between them; a webhook: connect, send, answer), each up to SMTP_TIMEOUT.
TIMEOUTS_PER_SEND = 5


def longest_send() -> timedelta:
    """The longest one message's delivery can take: a worker renews its claim before less is left."""
    return TIMEOUTS_PER_SEND * timedelta(seconds=current_app.config["SMTP_TIMEOUT"])


def lease_length() -> timedelta:
    """How long a claim lasts: OUTBOX_LEASE, and never less than one send can take."""
    return max(current_app.config["OUTBOX_LEASE"], longest_send())


def claim_due_messages(worker_id: str, limit: int) -> list[int]:
    """Lease up to `limit` due messages to this worker and commit; return their ids.

    Due means queued and due, or claimed by a worker whose lease ran out (it crashed).
    What a person asked for is claimed first, then follow-ups, then broadcast mail, and
    broadcast mail only as far as BROADCAST_RATE leaves room: a big broadcast never holds
    up an ebook link. On PostgreSQL FOR UPDATE SKIP LOCKED lets any number of workers
    claim side by side; on SQLite the transaction's BEGIN IMMEDIATE already serialises them.
    """
    now = utcnow()
    ids = due_ids(now, OutboxMessage.priority < BROADCAST_PRIORITY, limit)
    if room := min(limit - len(ids), broadcast_room(now)):
        ids += due_ids(now, OutboxMessage.priority == BROADCAST_PRIORITY, room)
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                status="sending",
                locked_by=worker_id,
                locked_until=now + lease_length(),
                attempts=OutboxMessage.attempts + 1,
            )
        )
    db.session.commit()
    return ids


def claimable_now(now):
    """The condition of the messages a claim may take now (a range of ix_outbox_claimable).

    Due means queued and due, or claimed by a worker whose lease ran out (it crashed).
    """
    due = or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.due_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.locked_until < now),
    )
    # CLAIMABLE as written: SQLite uses a partial index only when the query states its condition.
    return and_(text(CLAIMABLE), due)


def due_ids(now, priorities, limit: int) -> list[int]:
    """Ids of up to `limit` due messages of `priorities`, in claim order (ix_outbox_claimable)."""
    query = (
        select(OutboxMessage.id)
        .where(claimable_now(now), priorities)
        .order_by(OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    if is_postgresql():
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def broadcast_room(now) -> int:
    """How much broadcast mail may be claimed now: BROADCAST_RATE less what went to the relay
    in the period just past and what live claims hold (ranges of the sent_at and (status,
    due_at) indexes). A claim whose lease ran out holds nothing, so its rows can be retaken."""
    rate, period = current_app.config["BROADCAST_RATE"]
    broadcast = OutboxMessage.priority == BROADCAST_PRIORITY
    sent = select(func.count()).where(OutboxMessage.sent_at > now - period, OutboxMessage.status == "sent", broadcast)
    held = OutboxMessage.locked_until >= now
    # CLAIMABLE as written, so SQLite counts them in ix_outbox_claimable: with years of sent
    # mail its statistics call the (status, due_at) index unselective, and it read the table.
    sending = select(func.count()).where(text(CLAIMABLE), OutboxMessage.status == "sending", held, broadcast)
    return max(0, rate - db.session.scalar(sent) - db.session.scalar(sending))


def broadcast_mail_wanted(now, limit: int) -> int:
    """How much broadcast mail to put in the outbox for the next claim: what it may take (up to
    `limit`, within broadcast_room) less the due broadcast mail already waiting there. The
    broadcasts' recipients are turned into mail this far, so the outbox holds at most a batch
    of a big broadcast."""
    broadcast = OutboxMessage.priority == BROADCAST_PRIORITY
    waiting = db.session.scalar(select(func.count()).where(claimable_now(now), broadcast))
    return max(0, min(limit, broadcast_room(now)) - waiting)


def renew_claim(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Extend the lease on messages of one claim and commit; return those still held.

    A claim that has ended renews nothing: another worker may have retaken its rows. A row
    is renewed only while it carries this claim (its worker and end: not sent, failed or
    retaken since).
    """
    held_until = messages[0].locked_until
    now = utcnow()
    if held_until <= now:
        return []
    locked_until = now + lease_length()
    ids = [message.id for message in messages]
    renewed = set(
        db.session.scalars(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.locked_by == messages[0].locked_by,
                OutboxMessage.locked_until == held_until,
            )
            .values(locked_until=locked_until)
            .returning(OutboxMessage.id)
        )
    )
    still_held = [message for message in messages if message.id in renewed]
    db.session.commit()
    return still_held
