"""OutboxMessage: one email (or webhook call) to deliver, with its delivery state."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db

# queued -> sending -> sent | queued again (retry) | failed; or cancelled before sending.
STATUSES = ("queued", "sending", "sent", "failed", "cancelled")
# Transactional mail is what a person asked for; marketing mail needs consent.
CATEGORIES = ("transactional", "marketing")
# The rows a worker may claim: the condition of the partial index ix_outbox_claimable, as SQL.
CLAIMABLE = "status IN ('queued', 'sending')"
# The claim order: what a person asked for goes first, then follow-ups, then broadcast mail
# (which the claim also holds to BROADCAST_RATE). Lower goes first.
PRIORITIES = {"transactional": 0, "marketing": 1}
BROADCAST_PRIORITY = 2
# The rows a broadcast queued: the condition of the partial index ix_outbox_broadcast_status.
FROM_A_BROADCAST = "broadcast_id IS NOT NULL"


class OutboxMessage(db.Model):
    """A message waiting for, undergoing or done with delivery."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_status_due_at", "status", "due_at"),
        # The claim walks this by priority, then in due order: only the rows still to send, however
        # much was sent, and a big broadcast (the last priority) stays behind every other mail.
        Index(
            "ix_outbox_claimable",
            "priority",
            "due_at",
            "id",
            sqlite_where=text(CLAIMABLE),
            postgresql_where=text(CLAIMABLE),
        ),
        # A broadcast's progress and its cancel: its rows only, by status; other mail is not in it.
        Index(
            "ix_outbox_broadcast_status",
            "broadcast_id",
            "status",
            sqlite_where=text(FROM_A_BROADCAST),
            postgresql_where=text(FROM_A_BROADCAST),
        ),
        # "Sent today" on the dashboard and the purge of old sent mail read a range of this.
        Index("ix_outbox_sent_at", "sent_at"),
        # The webhooks page counts its calls: a range of the few webhook rows, not every email.
        Index("ix_outbox_kind_status", "kind", "status"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "email" goes over SMTP; other kinds (webhooks) have their own deliverer.
    kind: Mapped[str] = mapped_column(String(20), default="email")
    category: Mapped[str] = mapped_column(String(20), default="transactional")
    # PRIORITIES[category], or BROADCAST_PRIORITY: the order in which workers claim due mail.
    # (The server default keeps raw SQL fills, as the benchmarks write, claimable as transactional.)
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    # The broadcast that queued this mail (broadcasts.models.Broadcast), else None. No foreign
    # key: the outbox is what domains build on, and a broadcast is never deleted.
    broadcast_id: Mapped[int | None] = mapped_column()
    # An email's address; a webhook call's URL (read it as webhook_url).
    recipient: Mapped[str] = mapped_column(String(500))
    recipient_name: Mapped[str] = mapped_column(String(100), default="")
    # An email's template (templates/email/<template>.txt and .html); a webhook call's event
    # name, e.g. "lead.created" (read it as webhook_event).
    template: Mapped[str] = mapped_column(String(100))
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # A claimed message belongs to its worker until the lease ends; then any worker may retake it.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def webhook_url(self) -> str:
        """Where a webhook call goes: the row keeps it in `recipient`."""
        return self.recipient

    @property
    def webhook_event(self) -> str:
        """The event a webhook call reports ("lead.created"): the row keeps it in `template`."""
        return self.template

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.template} to={self.recipient!r} {self.status}>"


class PurgedDedupeKey(db.Model):
    """The dedupe key of a delivered message that `outbox purge` deleted.

    Enqueueing refuses these keys as it refuses those still in the outbox, so a follow-up
    step or a notification sent long ago is never queued again once its message is gone.
    """

    __tablename__ = "outbox_purged_keys"

    dedupe_key: Mapped[str] = mapped_column(String(200), primary_key=True)
