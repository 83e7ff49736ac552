"""Webhook: a URL of the clinic's CRM and the events it wants."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db

# What a webhook may subscribe to.
EVENTS = ("lead.created", "lead.confirmed", "lead.booked", "webinar.registered")


class Webhook(db.Model):
    """An endpoint that receives the events it subscribed to, signed with its own secret."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list] = mapped_column(JSON, default=list)
    # Kept readable (not hashed): every delivery is signed with it (HMAC-SHA256).
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Webhook {self.id} {self.url} active={self.active}>"
