"""The lead export: one CSV row per lead, streamed in constant memory, every export logged.

The rows come from one SELECT of plain columns (no ORM objects) over a server-side cursor
on PostgreSQL (a stepped statement on SQLite), converted and written in batches, so a
million leads cost the memory of one batch. bench/export times it against COPY.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterator
from functools import cache

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, literal, select

from ..database import utcnow
from ..extensions import db
from ..outbox.models import OutboxMessage
from .consent import MARKETING_EMAIL
from .filters import LeadFilterSchema, filter_conditions, filtered_leads
from .models import Activity, Consent, ExportLog, Lead

logger = logging.getLogger(__name__)

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet opening the file may split a cell (a locale's ";", a tab, the comma):
# every piece after one of these is a cell of its own, so none may start a formula either.
CELL_SPLITTERS = (",", ";", "\t")
# A piece's formula start, and the apostrophe that makes it text: "Ann;=X" becomes "Ann;'=X".
PIECE_GUARDS = tuple(
    (splitter + start, splitter + "'" + start) for splitter in CELL_SPLITTERS for start in FORMULA_STARTS
)
BATCH_ROWS = 2000
BOM = "\ufeff"  # lets Excel detect UTF-8, so é and ñ survive a double-click


def latest_consent(column):
    """Correlated subquery: `column` of the lead's latest granted marketing consent."""
    return (
        select(column)
        .where(Consent.lead_id == Lead.id, Consent.purpose == MARKETING_EMAIL.purpose, Consent.granted.is_(True))
        .order_by(Consent.created_at.desc(), Consent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def utc_text(column):
    """A UTC timestamp as text a spreadsheet reads as a date: "2026-11-24 15:30:00", made by the database."""
    return func.substr(cast(column, String), 1, 19)


def guard_pieces(column):
    """`column` with an apostrophe after each splitter that a formula start follows (SQL REPLACE).

    A tab is both a splitter and a formula start: a run of tabs needs a second pass, since
    one REPLACE does not see the pair that overlaps the one it just changed.
    """
    for piece, guarded in (*PIECE_GUARDS, ("\t\t", "\t'\t")):
        column = func.replace(column, literal(piece, String), literal(guarded, String))
    return column


def safe_text(column):
    """Text a spreadsheet shows rather than evaluates (OWASP CSV injection): "=cmd" becomes "'=cmd"
    and "Ann;=cmd" becomes "Ann;'=cmd". The one guard of every CSV download (leads, webinar registrations).

    Done in the SELECT, so rows go from the cursor to csv.writer untouched (no Python per
    cell), and COPY of the same SELECT in bench/export produces the very same cells.
    """
    guarded = guard_pieces(column)
    return case((func.substr(column, 1, 1).in_(FORMULA_STARTS), literal("'", String) + guarded), else_=guarded)


@cache
def export_columns() -> tuple[tuple[str, ColumnElement], ...]:
    """The CSV's columns in order: (header, SQL expression).

    Built on first use, not at import: the formula guards are a few hundred SQL function calls,
    which every CLI command would otherwise build at start-up (tens of milliseconds).
    """
    return (
        ("id", Lead.id),
        ("email", safe_text(Lead.email)),
        ("first_name", safe_text(Lead.first_name)),
        ("source", safe_text(Lead.source)),
        ("status", safe_text(Lead.status)),
        ("utm_source", safe_text(Lead.utm_source)),
        ("utm_medium", safe_text(Lead.utm_medium)),
        ("utm_campaign", safe_text(Lead.utm_campaign)),
        ("utm_content", safe_text(Lead.utm_content)),
        ("utm_term", safe_text(Lead.utm_term)),
        ("referrer", safe_text(Lead.referrer)),
        ("landing_path", safe_text(Lead.landing_path)),
        (
            "marketing_consent",
            case((and_(Lead.marketing_consent.is_(True), Lead.unsubscribed_at.is_(None)), "yes"), else_="no"),
        ),
        ("consent_at_utc", utc_text(latest_consent(Consent.created_at))),
        # Our own version label ("2026-11-v1"), never visitor text: no need to repeat the subquery in a CASE.
        ("consent_text_version", latest_consent(Consent.text_version)),
        ("confirmed_at_utc", utc_text(Lead.confirmed_at)),
        ("unsubscribed_at_utc", utc_text(Lead.unsubscribed_at)),
        ("created_at_utc", utc_text(Lead.created_at)),
        ("activities", select(func.count(Activity.id)).where(Activity.lead_id == Lead.id).scalar_subquery()),
        (
            "emails_sent",
            select(func.count(OutboxMessage.id))
            .where(OutboxMessage.lead_id == Lead.id, OutboxMessage.kind == "email", OutboxMessage.status == "sent")
            .scalar_subquery(),
        ),
    )


def export_query(filters: dict) -> Select:
    """The export's SELECT: the same filters and order as the lead list, plain columns only."""
    return filtered_leads(filters, columns=[expression.label(name) for name, expression in export_columns()])


def count_leads(filters: dict) -> int:
    """How many leads the filters select (the CLI's progress bar total)."""
    return db.session.scalar(select(func.count(Lead.id)).where(*filter_conditions(filters)))


def csv_rows(filters: dict, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """Yield the CSV text (BOM and header first) in batches; progress(n) as each batch goes out.

    A dedicated connection streams the rows (server-side cursor) and ends its read-only
    transaction when the generator finishes or is closed (a download cancelled half-way).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([name for name, _expression in export_columns()])
    with db.engine.connect() as connection:
        connection = connection.execution_options(stream_results=True, yield_per=BATCH_ROWS, sqlite_read_only=True)
        with connection.execute(export_query(filters)) as result:  # closes the server-side cursor
            for batch in result.partitions():
                writer.writerows(batch)  # None is written as an empty cell
                if progress:
                    progress(len(batch))  # before the yield: a download closed there still counts what it got
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def start_export_log(actor: str, filters: dict, fmt: str = "csv", staff_user_id: int | None = None) -> int:
    """Record that an export begins (so even an interrupted one is on the record); returns its id."""
    log = ExportLog(
        actor=actor, staff_user_id=staff_user_id, format=fmt, filters=LeadFilterSchema().dump(filters), rows=0
    )
    db.session.add(log)
    db.session.flush()
    log_id = log.id  # read before the commit expires it: a reload would open a new transaction
    db.session.commit()
    return log_id


def finish_export_log(log_id: int, rows: int, completed: bool) -> None:
    """Record how many rows went out and whether the export reached its end."""
    log = db.session.get(ExportLog, log_id)
    log.rows, log.completed, log.finished_at = rows, completed, utcnow()
    actor = log.actor  # before the commit expires it
    db.session.commit()
    logger.info("export %s by %s: %d row(s), %s", log_id, actor, rows, "complete" if completed else "interrupted")


def logged_csv_export(
    filters: dict, *, actor: str, staff_user_id: int | None = None, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The export as UTF-8 bytes, logged: started now, rows and completion recorded at the end."""
    log_id = start_export_log(actor, filters, "csv", staff_user_id)
    rows = 0
    completed = False

    def counted(count: int) -> None:
        nonlocal rows
        rows += count
        if progress:
            progress(count)

    try:
        for chunk in csv_rows(filters, counted):
            yield chunk.encode("utf-8")
        completed = True
    finally:
        db.session.rollback()  # nothing of ours is pending; end any transaction the request opened
        finish_export_log(log_id, rows, completed)


def recent_exports(limit: int = 200) -> list[ExportLog]:
    """The latest exports, newest first, for the admins' page."""
    return list(db.session.scalars(select(ExportLog).order_by(ExportLog.created_at.desc()).limit(limit)))
