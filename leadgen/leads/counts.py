"""Counts the dashboard reads instead of counting a million leads, kept by triggers on leads.

Triggers, not service code: every way a lead is created, marked, merged, erased or purged
(the app, a migration, a bulk delete, `psql`) keeps the counts right. db.create_all builds
them here; the migration that made the tables builds them for `db upgrade`.
"""

from datetime import datetime

from sqlalchemy import DDL, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime
from ..extensions import db


class LeadStatusCount(db.Model):
    """How many leads staff marked with each status (contacted, booked): the dashboard's totals.

    Kept by triggers on `leads` (below), so every way a lead is created, marked, merged,
    erased or purged keeps it right, and the dashboard reads two rows instead of counting
    a million. Leads still "new" are not counted: every capture would queue on one row.
    """

    __tablename__ = "lead_status_counts"

    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class LeadHourlyCount(db.Model):
    """How many leads arrived from each source in each UTC hour: the dashboard's chart and weeks.

    Kept by triggers on `leads` (below), like LeadStatusCount; the dashboard adds up at most a
    few thousand of these rows instead of reading every lead of the last 30 days.
    """

    __tablename__ = "lead_hourly_counts"

    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
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
# Row-level and deferred to the commit on PostgreSQL: every capture adds to its hour's row,
# and a deferred trigger holds that row's lock only while the transaction commits.
POSTGRESQL_HOURLY_COUNT_TRIGGERS = (
    """
    CREATE OR REPLACE FUNCTION lead_hourly_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            UPDATE lead_hourly_counts SET count = count - 1
            WHERE hour = date_trunc('hour', OLD.created_at) AND source = OLD.source;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO lead_hourly_counts (hour, source, count)
            VALUES (date_trunc('hour', NEW.created_at), NEW.source, 1)
            ON CONFLICT (hour, source) DO UPDATE SET count = lead_hourly_counts.count + 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS leads_hourly_counts ON leads",
    "CREATE CONSTRAINT TRIGGER leads_hourly_counts AFTER INSERT OR DELETE OR UPDATE OF created_at, source ON leads"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lead_hourly_counts_change()",
)
# SQLite stores a UTC time as "YYYY-MM-DD HH:MM:SS.ffffff": its hour is the first 13 characters.
SQLITE_HOURLY_COUNT_TRIGGERS = (
    """
    CREATE TRIGGER IF NOT EXISTS leads_hourly_counts_insert AFTER INSERT ON leads BEGIN
        INSERT INTO lead_hourly_counts (hour, source, count)
        VALUES (substr(NEW.created_at, 1, 13) || ':00:00.000000', NEW.source, 1)
        ON CONFLICT (hour, source) DO UPDATE SET count = count + 1;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS leads_hourly_counts_update AFTER UPDATE OF created_at, source ON leads
    WHEN substr(OLD.created_at, 1, 13) IS NOT substr(NEW.created_at, 1, 13) OR OLD.source IS NOT NEW.source BEGIN
        UPDATE lead_hourly_counts SET count = count - 1
        WHERE hour = substr(OLD.created_at, 1, 13) || ':00:00.000000' AND source = OLD.source;
        INSERT INTO lead_hourly_counts (hour, source, count)
        VALUES (substr(NEW.created_at, 1, 13) || ':00:00.000000', NEW.source, 1)
        ON CONFLICT (hour, source) DO UPDATE SET count = count + 1;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS leads_hourly_counts_delete AFTER DELETE ON leads BEGIN
        UPDATE lead_hourly_counts SET count = count - 1
        WHERE hour = substr(OLD.created_at, 1, 13) || ':00:00.000000' AND source = OLD.source;
    END
    """,
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
COUNT_TRIGGERS = {
    "postgresql": POSTGRESQL_STATUS_COUNT_TRIGGERS + POSTGRESQL_HOURLY_COUNT_TRIGGERS,
    "sqlite": SQLITE_STATUS_COUNT_TRIGGERS + SQLITE_HOURLY_COUNT_TRIGGERS,
}
for dialect, statements in COUNT_TRIGGERS.items():
    for statement in statements:
        event.listen(db.metadata, "after_create", DDL(statement).execute_if(dialect=dialect))
