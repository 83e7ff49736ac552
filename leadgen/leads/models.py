"""Lead, Consent, Activity, Tag, ExportLog, and ErasedLead (the tombstone an erasure leaves)."""

import hashlib
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db
from ..fields import TAG_MAX_LENGTH, normalise_email

# Where a lead first came from ("import": a list staff brought in), and what they can be doing.
SOURCES = ("ebook", "webinar", "comment", "callback", "import")
STATUSES = ("new", "contacted", "booked")
# The activity detail keys that name an offer, in the order a detail naming both is read, and the
# longest label they hold (an ebook's title; a webinar's slug is shorter).
OFFER_KEYS = ("ebook", "webinar")
OFFER_MAX_LENGTH = 200


class Lead(db.Model):
    """One person, known by a normalised email address."""

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_created_at_id", "created_at", "id"),
        # Keyset pages of a filtered list: equality column first, then the page order.
        Index("ix_leads_source_created_at", "source", "created_at", "id"),
        Index("ix_leads_status_created_at", "status", "created_at", "id"),
        Index("ix_leads_utm_campaign_created_at", "utm_campaign", "created_at", "id"),
        # The console's name/email search: trigrams on PostgreSQL find any part of either
        # column; on SQLite this is a plain index that serves a prefix search of the name.
        # fastupdate off: a search reads no pending list (migration t17_search_index_fastupdate).
        Index(
            "ix_leads_name_email_search",
            "first_name",
            "email",
            postgresql_using="gin",
            postgresql_ops={"first_name": "gin_trgm_ops", "email": "gin_trgm_ops"},
            postgresql_with={"fastupdate": "off"},
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="new")
    # First touch: the campaign that brought the person here the first time.
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    utm_content: Mapped[str | None] = mapped_column(String(100))
    utm_term: Mapped[str | None] = mapped_column(String(100))
    referrer: Mapped[str | None] = mapped_column(String(500))
    # The page the first form sat on (an article's path): the report's "article".
    landing_path: Mapped[str | None] = mapped_column(String(500))
    # The first offer the lead took, as its activity names it (an ebook's title at the time, a
    # webinar's slug): the report's "offer". None until they take one (a comment, a call-back,
    # an import); written once (capture_lead, note_first_offer), never overwritten.
    first_offer: Mapped[str | None] = mapped_column(String(OFFER_MAX_LENGTH))
    # Marketing may start only when consent is given (and, with double opt-in, confirmed).
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The mail provider reported that the person marked our mail as spam (mailevents).
    complained_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Soft bounces reported since the last delivery; three in a row mark the address bounced.
    soft_bounces: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    consents: Mapped[list["Consent"]] = relationship(
        back_populates="lead", cascade="all, delete-orphan", order_by="Consent.created_at"
    )
    activities: Mapped[list["Activity"]] = relationship(
        back_populates="lead", cascade="all, delete-orphan", order_by="Activity.created_at"
    )

    def __repr__(self) -> str:
        return f"<Lead {self.id} {self.source} {self.status}>"


class Consent(db.Model):
    """Evidence of a consent decision: the exact words shown, when, from where."""

    __tablename__ = "consents"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool]
    text: Mapped[str] = mapped_column(Text)
    text_version: Mapped[str] = mapped_column(String(40))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="consents")

    def __repr__(self) -> str:
        return f"<Consent {self.id} lead={self.lead_id} {self.purpose} granted={self.granted}>"


class Activity(db.Model):
    """Something a lead did (asked for the ebook, registered, commented) or staff did to them."""

    __tablename__ = "activities"
    __table_args__ = (
        # The leads who did one kind of thing (the report's call-backs): a range of kind, not a scan.
        Index("ix_activities_kind_lead_id", "kind", "lead_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    utm_content: Mapped[str | None] = mapped_column(String(100))
    utm_term: Mapped[str | None] = mapped_column(String(100))
    referrer: Mapped[str | None] = mapped_column(String(500))
    landing_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="activities")

    def __repr__(self) -> str:
        return f"<Activity {self.id} lead={self.lead_id} {self.kind}>"


class Tag(db.Model):
    """A word staff put on leads (`vip`, `webinar-2026-11`) to find them, export them and mail them."""

    __tablename__ = "tags"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TAG_MAX_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Tag {self.id} {self.name}>"


class LeadTag(db.Model):
    """One tag on one lead. The key (tag_id, lead_id) keeps a tag on a lead once; the lead_id index
    serves a lead's own tags and the cascade when a lead goes. `lead_created_at` is the lead's
    created_at (which never changes), copied so that ix_lead_tags_tag_id_created holds a tag's
    leads in the lists' own order: a page of `?tag=` is a range of it, whatever the tag's size."""

    __tablename__ = "lead_tags"
    __table_args__ = (
        Index("ix_lead_tags_lead_id", "lead_id"),
        Index("ix_lead_tags_tag_id_created", "tag_id", "lead_created_at", "lead_id"),
    )

    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True)
    lead_created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<LeadTag tag={self.tag_id} lead={self.lead_id}>"


class ExportLog(db.Model):
    """One export of leads (who, when, with which filters, how many rows): personal data leaving us."""

    __tablename__ = "export_logs"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The staff member's email, or "cli" for `flask leads export`.
    actor: Mapped[str] = mapped_column(String(254))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    format: Mapped[str] = mapped_column(String(10), default="csv")
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    rows: Mapped[int] = mapped_column(default=0)
    # False until the last row went out: an interrupted download stays visible as such.
    completed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<ExportLog {self.id} {self.actor} {self.format} rows={self.rows}>"


class ErasedLead(db.Model):
    """Who erased which lead and when; the email survives only as a SHA-256, to refuse re-imports."""

    __tablename__ = "erased_leads"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id the lead had: the audit names whom by id, never by address.
    lead_id: Mapped[int] = mapped_column(index=True)
    email_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The staff member's email (or "cli"): kept as text so the record outlives their account.
    erased_by: Mapped[str] = mapped_column(String(254))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ErasedLead lead={self.lead_id} by={self.erased_by!r} at={self.erased_at:%Y-%m-%d}>"


def email_hash(email: str) -> str:
    """SHA-256 of the normalised address, as the erasure tombstone stores it (and an import looks it up)."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()
