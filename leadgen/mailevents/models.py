"""MailEvent (a bounce or complaint the provider reported) and MailEventReceipt (replay guard)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db

# What a provider may tell us about one address.
KINDS = ("bounce", "soft_bounce", "complaint")


class MailEvent(db.Model):
    """One bounce or complaint about a known lead's address, kept for the dashboard's rates.

    Holds no address: an erased lead's events stay (lead_id set to NULL) so past rates hold.
    """

    __tablename__ = "mail_events"
    __table_args__ = (
        # The dashboard counts a 30-day range by kind: a range of this index, however many leads.
        Index("ix_mail_events_created_at_kind", "created_at", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<MailEvent {self.id} {self.provider} {self.kind} lead={self.lead_id}>"


class MailEventReceipt(db.Model):
    """A provider message already applied (an SNS MessageId, a Mailgun token, a Postmark ID):
    the same one posted again is answered 200 and changes nothing."""

    __tablename__ = "mail_event_receipts"
    __table_args__ = (UniqueConstraint("provider", "key", name="uq_mail_event_receipts_provider_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<MailEventReceipt {self.provider} {self.key}>"
