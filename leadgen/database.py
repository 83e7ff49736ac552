"""Database wiring: UTC datetimes, SQLite that copes with several processes, upserts."""

import threading
from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

from .extensions import db


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC everywhere and always hands back an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def is_postgresql() -> bool:
    """True when the app talks to PostgreSQL (row locks with SKIP LOCKED are available)."""
    return db.engine.dialect.name == "postgresql"


def insert_ignoring_conflicts(model, values: dict, conflict_columns: list[str]):
    """INSERT ... ON CONFLICT DO NOTHING for the current dialect; returns the statement."""
    insert = pg_insert if is_postgresql() else sqlite_insert
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)


def insert_if_absent(model, values: dict, conflict_columns: list[str]) -> int | None:
    """Insert a row unless one with the same unique columns exists; the new id, or None.

    Uses RETURNING rather than rowcount, which the ORM reports as -1 for this
    statement on PostgreSQL.
    """
    statement = insert_ignoring_conflicts(model, values, conflict_columns).returning(model.id)
    return db.session.scalar(statement)


# How long a writer waits for SQLite's write lock before giving up: outlasts any burst a
# small site sees, and stays under gunicorn's 60 s timeout, so a request waits rather than fails.
SQLITE_WRITE_WAIT_SECONDS = 30


def _configure_sqlite(engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE, so concurrent writers wait instead of failing.

    The threads of one process also queue for the write lock on a Python lock first: a
    waiter wakes the moment the writer before it is done, where SQLite's busy handler
    sleeps 1, 2, 5 ... 100 ms between tries and turns a queue of threads into a long tail.
    Only the other processes' writers (gunicorn workers, the outbox worker) meet the busy handler.
    """
    write_lock = threading.Lock()

    def release_write_lock(entry: dict | None) -> None:
        if entry is not None and entry.pop("holds_write_lock", False):
            write_lock.release()

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_WRITE_WAIT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A long read-only stream (the CSV export) asks for a plain BEGIN so writers go on.
        if connection.get_execution_options().get("sqlite_read_only"):
            connection.exec_driver_sql("BEGIN")
            return
        # Take the write lock up front: a read that later writes cannot deadlock. The pool
        # entry, not the thread, holds the process's lock (one invalidated mid-transaction still does).
        entry = connection.connection.record_info
        if not entry.get("holds_write_lock"):
            if not write_lock.acquire(timeout=SQLITE_WRITE_WAIT_SECONDS):
                raise TimeoutError(f"another thread held the SQLite write lock for {SQLITE_WRITE_WAIT_SECONDS} s")
            entry["holds_write_lock"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            release_write_lock(entry)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def on_end(connection):
        # Fired just before the driver's COMMIT or ROLLBACK, whose lock on the file a waiter
        # that comes in first sleeps out in the busy handler (1 ms at first) at worst.
        if not connection.invalidated:
            release_write_lock(connection.connection.record_info)

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record):
        # A connection invalidated in a transaction ends it without a rollback event.
        release_write_lock(record.record_info if record is not None else None)


class RowIdConverter(IntegerConverter):
    """`<int:id>` in URLs, bounded to what an INTEGER key holds: a larger number is a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_database(app) -> None:
    """Initialise flask-sqlalchemy and tune the engine for its dialect."""
    # Before any blueprint adds its routes, so every <int:...> is bounded.
    app.url_map.converters["int"] = RowIdConverter
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
