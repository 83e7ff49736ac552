"""CallbackRequest: a visitor asked the clinic to call them back."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db
from ..leads.models import Lead

# Where a request stands; "open" until staff set one of the others.
CALLBACK_STATUSES = ("open", "called", "no_answer", "booked")
CLOSED_STATUSES = ("called", "no_answer", "booked")
BEST_TIMES = ("morning", "afternoon", "evening", "any")
NOTE_MAX_LENGTH = 500


class CallbackRequest(db.Model):
    """One "call me back" request. The phone number is kept for this call alone: it is shown
    only to staff (the queue, the lead page, the alert mail), never exported or sent to webhooks."""

    __tablename__ = "callback_requests"
    __table_args__ = (
        # The queue: open ones first, oldest first, filtered by status.
        Index("ix_callback_requests_status_created_at", "status", "created_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    # The name as typed on this request: staff greet the caller by it; the lead's own name stays.
    first_name: Mapped[str] = mapped_column(String(100))
    # E.164 ("+13125550100"), as phonenumbers formats it.
    phone: Mapped[str] = mapped_column(String(20))
    best_time: Mapped[str] = mapped_column(String(20), default="any")
    note: Mapped[str] = mapped_column(String(NOTE_MAX_LENGTH), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    # The staff member who last set the status (kept as text so it outlives their account).
    handled_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    lead: Mapped[Lead] = relationship()

    def __repr__(self) -> str:
        return f"<CallbackRequest {self.id} lead={self.lead_id} {self.status}>"
