"""Broadcast: one marketing mail staff wrote for an audience, queued once per lead; its recipients
waiting to be turned into outbox mail."""

from datetime import datetime

from sqlalchemy import JSON, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db

# "queued": its recipients wait (broadcast_recipients) or its mail is in the outbox (due at
# send_at); "cancelled": staff stopped what had not gone.
# Scheduled, sending and sent are read from the outbox (see service.broadcast_progress).
STATUSES = ("queued", "cancelled")


class Broadcast(db.Model):
    """A subject and a Markdown body, an audience, and when it goes."""

    __tablename__ = "broadcasts"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    # Markdown with {placeholders} (mailmarkdown.py), rendered for each lead at send time.
    body: Mapped[str] = mapped_column(Text)
    # The audience as staff chose it (source, tag, since, until; dates as ISO text).
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    send_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How many leads it was queued for (the audience at the moment it was sent).
    recipients: Mapped[int] = mapped_column(default=0)
    # The staff member's email (or "api:<email>"), kept as text so it outlives the account.
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Recipients the cancel removed before the worker turned them into mail: progress counts them skipped.
    cancelled_recipients: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    def __repr__(self) -> str:
        return f"<Broadcast {self.id} {self.status} recipients={self.recipients}>"


class BroadcastRecipient(db.Model):
    """A lead a broadcast goes to whose mail is not in the outbox yet.

    Sending queues these two ids per lead (one INSERT ... SELECT), not a whole outbox row:
    the outbox worker turns them into mail a batch at a time, as BROADCAST_RATE leaves room
    (broadcasts.recipients), and deletes them as it does. The primary key is the only index
    and there is no foreign key: on PostgreSQL each row's check doubled the time of sending
    (bench/broadcast). A broadcast is never deleted; erasure deletes a lead's rows,
    and a row whose lead is gone (leads purge) turns into no mail.
    """

    __tablename__ = "broadcast_recipients"

    broadcast_id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(primary_key=True)

    def __repr__(self) -> str:
        return f"<BroadcastRecipient broadcast={self.broadcast_id} lead={self.lead_id}>"
