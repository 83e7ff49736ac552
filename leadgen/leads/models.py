"""Lead, Consent and Activity."""

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db

# Where a lead first came from, and what they can be doing.
SOURCES = ("ebook", "webinar", "comment")
STATUSES = ("new", "contacted", "booked")


class Lead(db.Model):
    """One person, known by a normalised email address."""

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_created_at_id", "created_at", "id"),
        # Keyset pages of a filtered list: equality column first, then the page order.
        Index("ix_leads_source_created_at", "source", "created_at", "id"),
        Index("ix_leads_status_created_at", "status", "created_at", "id"),
        # The console's name/email search: trigrams on PostgreSQL find any part of either
        # column; on SQLite this is a plain index that serves a prefix search of the name.
        Index(
            "ix_leads_name_email_search",
            "first_name",
            "email",
            postgresql_using="gin",
            postgresql_ops={"first_name": "gin_trgm_ops", "email": "gin_trgm_ops"},
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
    # Marketing may start only when consent is given (and, with double opt-in, confirmed).
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
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
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    referrer: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="activities")

    def __repr__(self) -> str:
        return f"<Activity {self.id} lead={self.lead_id} {self.kind}>"


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


class LeadStatusCount(db.Model):
    """How many leads staff marked with each status (contacted, booked): the dashboard's totals.

    Kept by triggers on `leads` (below), so every way a lead is created, marked, merged,
    erased or purged keeps it right, and the dashboard reads two rows instead of counting
    a million. Leads still "new" are not counted: every capture would queue on one row.
    """

    __tablename__ = "lead_status_counts"

    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


# PostgreSQL: one statement-level trigger per event, so a bulk insert or purge adds or
# subtracts its counts once (transition tables), not once per row.
POSTGRESQL_STATUS_COUNT_TRIGGERS = (
    """
    CREATE OR REPLACE FUNCTION lead_status_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            UPDATE lead_status_counts AS counts SET count = counts.count - gone.n
            FROM (SELECT status, count(*) AS n FROM old_rows WHERE status <> 'new' GROUP BY status) AS gone
            WHERE counts.status = gone.status;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO lead_status_counts (status, count)
            SELECT status, count(*) FROM new_rows WHERE status <> 'new' GROUP BY status
            ON CONFLICT (status) DO UPDATE SET count = lead_status_counts.count + EXCLUDED.count;
        END IF;
        RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS leads_status_counts_insert ON leads",
    "CREATE TRIGGER leads_status_counts_insert AFTER INSERT ON leads REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_change()",
    "DROP TRIGGER IF EXISTS leads_status_counts_update ON leads",
    "CREATE TRIGGER leads_status_counts_update AFTER UPDATE ON leads"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_change()",
    "DROP TRIGGER IF EXISTS leads_status_counts_delete ON leads",
    "CREATE TRIGGER leads_status_counts_delete AFTER DELETE ON leads REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_change()",
)
SQLITE_STATUS_COUNT_TRIGGERS = (
    """
    CREATE TRIGGER IF NOT EXISTS leads_status_counts_insert AFTER INSERT ON leads WHEN NEW.status <> 'new' BEGIN
        INSERT INTO lead_status_counts (status, count) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET count = count + 1;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS leads_status_counts_update AFTER UPDATE OF status ON leads
    WHEN OLD.status IS NOT NEW.status BEGIN
        UPDATE lead_status_counts SET count = count - 1 WHERE status = OLD.status;
        INSERT INTO lead_status_counts (status, count) SELECT NEW.status, 1 WHERE NEW.status <> 'new'
        ON CONFLICT (status) DO UPDATE SET count = count + 1;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS leads_status_counts_delete AFTER DELETE ON leads WHEN OLD.status <> 'new' BEGIN
        UPDATE lead_status_counts SET count = count - 1 WHERE status = OLD.status;
    END
    """,
)

# db.create_all (tests, `demo`) builds what the migration does: pg_trgm before the search
# index, the triggers once every table exists.
event.listen(
    db.metadata, "before_create", DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql")
)
for dialect, statements in (("postgresql", POSTGRESQL_STATUS_COUNT_TRIGGERS), ("sqlite", SQLITE_STATUS_COUNT_TRIGGERS)):
    for statement in statements:
        event.listen(db.metadata, "after_create", DDL(statement).execute_if(dialect=dialect))
