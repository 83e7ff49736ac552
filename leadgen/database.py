"""Database wiring: UTC datetimes, SQLite that copes with several processes, upserts."""

from datetime import UTC, datetime

from flask import request
from sqlalchemy import DateTime, event
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


# __table_args__ of every table holding personal data: on SQLite, AUTOINCREMENT, so an id is
# never given again after its row is deleted (SQLite otherwise reuses the highest id, and a link
# or a record naming an erased person's id would name a newcomer). PostgreSQL's sequences never
# reuse an id; the option means nothing there.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def is_postgresql() -> bool:
    """True when the app talks to PostgreSQL (row locks with SKIP LOCKED are available)."""
    return db.engine.dialect.name == "postgresql"


def dialect_insert(table):
    """INSERT for the app's database, with its ON CONFLICT clauses (`on_conflict_do_nothing`,
    `on_conflict_do_update`, `excluded`): PostgreSQL's and SQLite's take the same arguments.

    `table` is a model or a Table. PostgreSQL's dialect is imported on first use: it costs
    ~50 ms to import. (On SQLite the models' postgresql_* Index options import it anyway, as
    SQLAlchemy checks them against the dialect; see bench/startup.)
    """
    if is_postgresql():
        from sqlalchemy.dialects.postgresql import insert

        return insert(table)
    return sqlite_insert(table)


def insert_if_absent(model, values: dict, conflict_columns: list[str]) -> int | None:
    """Insert a row unless one with the same unique columns exists; the new id, or None.

    Uses RETURNING rather than rowcount, which the ORM reports as -1 for this
    statement on PostgreSQL.
    """
    statement = (
        dialect_insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict_columns)
        .returning(model.id)
    )
    return db.session.scalar(statement)


# How long a writer waits for SQLite's write lock before giving up: outlasts any burst a
# small site sees, and stays under gunicorn's 60 s timeout, so a request waits rather than fails.
SQLITE_WRITE_WAIT_SECONDS = 30


def _configure_sqlite(engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE, so concurrent writers wait instead of failing."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_WRITE_WAIT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 16 MiB of pages per connection, not 2: with millions of sent mails the outbox's indexes
        # are deep, and a claim read their upper levels from the file again (bench/outbox history).
        cursor.execute("PRAGMA cache_size=-16384")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A long read-only stream (the CSV export) asks for a plain BEGIN so writers go on.
        if connection.get_execution_options().get("sqlite_read_only"):
            connection.exec_driver_sql("BEGIN")
            return
        # Take the write lock up front, so a read that later writes cannot deadlock: a second
        # writer waits in the busy handler until the first commits, then goes.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# The largest id an INTEGER key holds (PostgreSQL's; SQLite's go further): a larger number
# names no row, and handed to the database it is an overflow error, not "not found".
ROW_ID_MAX = 2**31 - 1


ROW_ID_DIGITS = len(str(ROW_ID_MAX))


def row_id(text) -> int | None:
    """An id typed or sent by a visitor ("42"), or None when it cannot name a row.

    ASCII digits only: str.isdigit() also says yes to "²" (which int() refuses) and "٣" (which
    int() reads as 3). The length is checked first: int() refuses thousands of digits.
    """
    text = str(text)
    if not (text.isascii() and text.isdigit()) or len(text) > ROW_ID_DIGITS:
        return None
    number = int(text)
    return number if number <= ROW_ID_MAX else None


def page_number() -> int:
    """The page asked for in ?page=, from 1 to ROW_ID_MAX: past the end is an empty page, not an overflow."""
    return min(max(request.args.get("page", 1, type=int), 1), ROW_ID_MAX)


class RowIdConverter(IntegerConverter):
    """`<int:id>` in URLs, bounded to what an INTEGER key holds: a larger number is a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", ROW_ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def register_database(app) -> None:
    """Initialise flask-sqlalchemy and tune the engine for its dialect."""
    # Before any blueprint adds its routes, so every <int:...> is bounded.
    app.url_map.converters["int"] = RowIdConverter
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
