"""Broadcast: one marketing mail staff wrote for an audience, queued once per lead."""

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db

# "queued": its mail is in the outbox (due at send_at); "cancelled": staff stopped what had not gone.
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

    def __repr__(self) -> str:
        return f"<Broadcast {self.id} {self.status} recipients={self.recipients}>"
