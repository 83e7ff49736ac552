"""Queue messages and move them through their states; never talks to SMTP itself."""

import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import delete, func, insert, select, text, update

from .. import metrics
from ..database import dialect_insert, is_postgresql, utcnow
from ..extensions import db
from .models import PRIORITIES, OutboxMessage, PurgedDedupeKey

# PostgreSQL advisory lock between enqueueing (shared) and a purge batch (exclusive): an
# enqueue either sees the keys a purge batch kept, or the batch waits for it to commit.
PURGE_LOCK = 0x6C67_6F75_7462  # any number no other lock uses; these are the bytes of "lgoutb"
PURGE_BATCH = 5000


def message_id_domain() -> str:
    """The domain part of our Message-IDs: the sender's domain."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"] or "leadgen.localhost"
    return sender.rsplit("@", 1)[-1].strip(" >") or "leadgen.localhost"


def message_values(
    *,
    template: str,
    recipient: str,
    dedupe_key: str,
    recipient_name: str = "",
    context: dict | None = None,
    lead_id: int | None = None,
    category: str = "transactional",
    due_at: datetime | None = None,
    kind: str = "email",
) -> dict:
    """The row of one queued message, for enqueue_many (same arguments as enqueue)."""
    now = utcnow()
    return {
        "kind": kind,
        "category": category,
        "priority": PRIORITIES[category],
        "recipient": recipient,
        "recipient_name": recipient_name,
        "template": template,
        "context": context or {},
        "lead_id": lead_id,
        "dedupe_key": dedupe_key,
        "message_id": f"<{uuid.uuid4().hex}@{message_id_domain()}>",
        "status": "queued",
        "due_at": due_at or now,
        "attempts": 0,
        "created_at": now,
    }


def enqueue(**message) -> bool:
    """Add a message to the outbox in the caller's transaction; False if its dedupe key exists.

    Arguments as message_values. The dedupe key names the reason for the message
    ("ebook:42:2026112415"), so the same reason can never queue a second message,
    whichever process tries.
    """
    return bool(enqueue_many([message_values(**message)]))


def enqueue_many(rows: list[dict]) -> set[str]:
    """Add several messages (message_values rows) in one INSERT ... ON CONFLICT DO NOTHING.

    In the caller's transaction; returns the dedupe keys that were new (the rest existed).
    """
    rows = without_purged_keys(rows)
    if not rows:
        return set()
    return set(db.session.scalars(insert_statement(db.engine.dialect.name), rows))


def without_purged_keys(rows: list[dict]) -> list[dict]:
    """The rows whose dedupe key no purged message had (a purged key still means "already sent")."""
    if not rows:
        return rows
    wait_for_purges()
    keys = [row["dedupe_key"] for row in rows]
    purged = set(db.session.scalars(select(PurgedDedupeKey.dedupe_key).where(PurgedDedupeKey.dedupe_key.in_(keys))))
    return [row for row in rows if row["dedupe_key"] not in purged]


def wait_for_purges() -> None:
    """Before enqueueing: on PostgreSQL, the shared side of PURGE_LOCK, held to the commit."""
    if is_postgresql():
        db.session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": PURGE_LOCK})


# Built once per dialect: SQLAlchemy keeps a statement object's cache key, where a new one
# must be walked on every capture (measured with bench/capture, as for the lead upsert).
@cache
def insert_statement(dialect_name: str):
    """The outbox's insert-unless-deduped statement; returns the dedupe keys that were new."""
    table = OutboxMessage.__table__
    return dialect_insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.dedupe_key)


def save_state(message: OutboxMessage, **values) -> bool:
    """Record a claimed message's new state and commit at once; False if its claim was lost.

    The row changes only while it carries the claim the caller holds (its worker and lease
    end): a worker whose lease ran out must not overwrite what the worker that retook the
    message recorded (a "sent" turned back into "queued" would go twice).
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.locked_by == message.locked_by,
            OutboxMessage.locked_until == message.locked_until,
        )
        .values(**values)
        # Not matched against the objects in the session (by default SQLAlchemy tests every
        # one against the conditions: the worker's whole batch, for each message it sends);
        # the message forgets the columns written instead, and reads them again if asked.
        .execution_options(synchronize_session=False)
    )
    db.session.expire(message, list(values))
    db.session.commit()
    return result.rowcount == 1


def mark_sent(message: OutboxMessage) -> None:
    """Record the relay's acceptance at once, so a crash after this never resends it."""
    if save_state(message, status="sent", sent_at=utcnow(), locked_until=None, last_error=None):
        metrics.record_sent(message)


def record_failure(message: OutboxMessage, error: str, permanent: bool = False) -> None:
    """Schedule the next attempt after the configured back-off, or mark the message failed."""
    delays = current_app.config["OUTBOX_RETRY_DELAYS"]
    if permanent or message.attempts > len(delays):
        saved = save_state(message, status="failed", last_error=error[:2000], locked_until=None)
    else:
        due_at = utcnow() + delays[message.attempts - 1]
        saved = save_state(message, status="queued", due_at=due_at, last_error=error[:2000], locked_until=None)
    if saved:
        metrics.record_failure(message)


def cancel(message: OutboxMessage, reason: str) -> None:
    """Drop a message that must no longer go (unsubscribed, booked, webinar cancelled)."""
    save_state(message, status="cancelled", last_error=reason, locked_until=None)


def cancel_queued(*conditions) -> int:
    """Cancel every queued message matching the conditions, in the caller's transaction."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "queued", *conditions)
        .values(status="cancelled", last_error="cancelled before sending")
    )
    return result.rowcount


def retry_failed(message_id: int) -> bool:
    """Put a failed message back in the queue now (the staff console's retry button)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != "failed":
        return False
    message.status = "queued"
    message.due_at = utcnow()
    message.attempts = 0
    db.session.commit()
    return True


def count_by_status() -> dict[str, int]:
    """How many messages are in each state."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: count for status, count in rows}


def sent_before(cutoff: datetime):
    """Delivered messages sent before `cutoff` (the ix_outbox_sent_at range)."""
    return select(OutboxMessage.id).where(OutboxMessage.status == "sent", OutboxMessage.sent_at < cutoff)


def count_sent_before(cutoff: datetime) -> int:
    """How many delivered messages `purge_sent` would delete."""
    return db.session.scalar(select(func.count()).select_from(sent_before(cutoff).subquery()))


def purge_sent(cutoff: datetime, batch_size: int = PURGE_BATCH) -> Iterator[int]:
    """Delete delivered mail sent before `cutoff`, one committed batch at a time; yield each batch's size.

    Each message's dedupe key moves to outbox_purged_keys in the same transaction, so what
    was sent is never queued again. Short batches keep locks short while the service runs.
    """
    while True:
        if is_postgresql():
            db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PURGE_LOCK})
        ids = list(db.session.scalars(sent_before(cutoff).order_by(OutboxMessage.sent_at).limit(batch_size)))
        if not ids:
            db.session.commit()
            return
        keys = select(OutboxMessage.dedupe_key).where(OutboxMessage.id.in_(ids))
        db.session.execute(insert(PurgedDedupeKey).from_select(["dedupe_key"], keys))
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        db.session.commit()
        yield len(ids)
