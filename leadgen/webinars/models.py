"""Webinar and Registration."""

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db
from ..leads.models import Lead

# scheduled -> cancelled (by staff); "started" and "ended" follow from the clock, not a column.
STATUSES = ("scheduled", "cancelled")
# registered -> cancelled (the registrant's link in a mail) -> registered again (registers anew);
# waitlisted (the webinar was full) -> registered (a seat was freed: waitlist.py).
REGISTRATION_STATUSES = ("registered", "cancelled", "waitlisted")

# Why registration is refused, in words a visitor reads on the page and in the API's 409.
CLOSED_MESSAGES = {
    "full": "All seats for this webinar are taken.",
    "started": "This webinar has already started, so registration is closed.",
    "ended": "This webinar has already taken place, so registration is closed.",
    "cancelled": "This webinar has been cancelled, so registration is closed.",
}


class Webinar(db.Model):
    """An online session visitors register for; seats_taken never exceeds capacity."""

    __tablename__ = "webinars"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="ck_webinars_seats"),
        Index("ix_webinars_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    presenter: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int]
    capacity: Mapped[int]
    # Moved only by conditional UPDATEs (see registration.py), never read-modify-write.
    seats_taken: Mapped[int] = mapped_column(default=0)
    join_url: Mapped[str] = mapped_column(String(500))
    # Where the recording is; the after-the-webinar mail and late join links point there once set.
    replay_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    # Bumped whenever the time changes, so calendars replace the event (iCalendar SEQUENCE).
    revision: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the thank-you / "sorry we missed you" mail was queued for every registrant (after.py).
    after_mail_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    registrations: Mapped[list["Registration"]] = relationship(
        back_populates="webinar", cascade="all, delete-orphan", order_by="Registration.created_at"
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    def state(self, now: datetime | None = None) -> str:
        """open, full, started, ended or cancelled (the keys of CLOSED_MESSAGES, plus open)."""
        now = now or utcnow()
        if self.status == "cancelled":
            return "cancelled"
        if now >= self.ends_at:
            return "ended"
        if now >= self.starts_at:
            return "started"
        return "full" if self.seats_taken >= self.capacity else "open"

    def __repr__(self) -> str:
        return f"<Webinar {self.id} {self.slug} {self.status} {self.seats_taken}/{self.capacity}>"


class Registration(db.Model):
    """One lead's seat at one webinar; the same person registering again reuses this row."""

    __tablename__ = "webinar_registrations"
    __table_args__ = (
        UniqueConstraint("webinar_id", "lead_id", name="uq_webinar_registrations_webinar_lead"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webinar_id: Mapped[int] = mapped_column(ForeignKey("webinars.id", ondelete="CASCADE"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="registered")
    # Counts registrations of this row: mail dedupe keys and cancel links name it, so a
    # cancelled-then-renewed registration gets fresh mail and old cancel links stop working.
    generation: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # First time the registrant opened their join link in the window, or the attendee CSV named them.
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    webinar: Mapped[Webinar] = relationship(back_populates="registrations")
    lead: Mapped[Lead] = relationship()

    def __repr__(self) -> str:
        return f"<Registration {self.id} webinar={self.webinar_id} lead={self.lead_id} {self.status}>"
