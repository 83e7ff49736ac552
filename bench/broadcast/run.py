"""Queueing a broadcast for 100,000 leads, against a bare INSERT ... SELECT of the same rows.

For each database: fill a dedicated database with BENCH_ROWS leads who may receive marketing
mail (default 100,000) and a tenth as many who may not, plus sent mail as history. Then, in
rounds, time (a) the bare statement: INSERT INTO a plain table of two integer columns (no
index, no constraint) SELECT the very (broadcast, lead) rows the broadcast queues (its own
SELECT over the audience, broadcasts.audience.recipient_rows), and (b) the service,
`create_broadcast`, which saves the broadcast and runs that SELECT into broadcast_recipients
(its primary key), in its own transaction. The best time of each over the rounds gives the
ratio. Then, after the last round, the outbox worker's step that turns one batch
(OUTBOX_BATCH_SIZE) of those recipients into outbox mail, five times (median).

Target: queueing at most 3x the bare INSERT ... SELECT, on each database.
Settings: BENCH_ROWS, BENCH_ROUNDS (default 3), BENCH_DATABASES (default "postgresql,sqlite"),
BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1/leadgen_bench_broadcast).
"""

import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "export"))

from bench.common import recreate_postgresql  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
DATABASES = os.environ.get("BENCH_DATABASES", "postgresql,sqlite").split(",")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/leadgen_bench_broadcast")
SQLITE_FILE = ROOT / "bench" / "results" / "broadcast-bench.sqlite3"
TARGET = 3.0
NEWS = {"subject": "News for {first_name}", "body": "Hello {first_name}, our next webinar is on.", "audience": {}}


def database_url(database: str) -> str:
    """A fresh, empty database of this kind; its SQLAlchemy URL."""
    if database == "postgresql":
        return recreate_postgresql(POSTGRES_URL)
    SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_FILE}"


def fill_leads(connection, database: str) -> None:
    """ROWS leads who may receive marketing mail, ROWS / 10 who may not, and ROWS sent mails."""
    from data import Dialect, fill_sent_mail, run

    everyone = ROWS + ROWS // 10
    d = Dialect(database, everyone)
    created = d.minutes_after_start("g")
    # Every eleventh lead did not consent; the rest did, and none unsubscribed, bounced or booked.
    statement = d.insert(
        "leads",
        "id, email, first_name, source, status, marketing_consent, created_at, updated_at",
        f"g, 'lead' || g || '@example.com', 'Ana', 'ebook', 'new', {d.boolean('g % 11 <> 0')}, {created}, {created}",
    )
    run(connection, database, [statement], ("leads",))
    fill_sent_mail(connection, database, ROWS, 1)


def plain_table(metadata):
    """A plain table of (broadcast_id, lead_id): no index, no constraint, no default."""
    from sqlalchemy import Column, Integer, Table

    return Table("broadcast_bench_plain", metadata, Column("broadcast_id", Integer), Column("lead_id", Integer))


def insert_into(table, columns, rows) -> None:
    """The bare statement: INSERT INTO table SELECT rows, committed."""
    from sqlalchemy import insert

    from leadgen.extensions import db

    db.session.execute(insert(table).from_select(columns, rows))
    db.session.commit()


def run_outside_a_transaction(statements: list[str]) -> None:
    """VACUUM and the like, on the driver's own connection (the app's engine always begins one)."""
    from leadgen.extensions import db

    raw = db.engine.raw_connection()
    try:
        driver = raw.driver_connection
        postgresql = hasattr(driver, "autocommit")  # psycopg; sqlite3 already runs in autocommit here
        if postgresql:
            driver.autocommit = True
        cursor = driver.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()
        if postgresql:
            driver.autocommit = False
    finally:
        raw.close()


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def time_batches(broadcast_id: int, times: int = 5) -> float:
    """The median seconds of the outbox worker's step that turns one batch of a broadcast's
    waiting recipients into outbox mail; its mail is deleted after each, as if claimed and sent."""
    from sqlalchemy import delete

    from leadgen.broadcasts.recipients import queue_due_recipients
    from leadgen.extensions import db
    from leadgen.outbox.models import OutboxMessage

    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        taken = queue_due_recipients()
        seconds.append(time.perf_counter() - started)
        print(f"  the worker turned {taken} recipients into outbox mail in {seconds[-1] * 1000:.0f} ms")
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id))
        db.session.commit()
    return statistics.median(seconds)


def measure(database: str) -> tuple[float, float, float]:
    """(best bare INSERT ... SELECT seconds, best queueing seconds) over ROUNDS, and the seconds
    the worker took to turn one batch of recipients into outbox mail."""
    from sqlalchemy import MetaData, delete

    from leadgen import create_app
    from leadgen.broadcasts import service
    from leadgen.broadcasts.audience import recipient_rows
    from leadgen.broadcasts.models import Broadcast, BroadcastRecipient
    from leadgen.extensions import db
    from leadgen.outbox.models import OutboxMessage

    url = database_url(database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-secret-key"})
    bare, queued = [], []
    with app.app_context():
        db.create_all()
        plain = plain_table(MetaData())
        plain.create(db.engine)
        started = time.perf_counter()
        with db.engine.connect() as connection:
            fill_leads(connection, database)
        filled = time.perf_counter() - started
        print(f"{database:>10}: {ROWS + ROWS // 10:,} leads, {ROWS:,} sent mails in {filled:.1f} s", flush=True)
        # Round 0 warms the caches (pages, plans, the app's code) and is not counted.
        for round_number in range(ROUNDS + 1):
            # The same rows the broadcast queues: its own SELECT, for a broadcast that is never saved.
            columns, rows = recipient_rows(Broadcast(id=10**6 + round_number), {})
            bare_seconds = timed(partial(insert_into, plain, columns, rows))
            started = time.perf_counter()
            broadcast = service.create_broadcast(NEWS, "bench")
            queued_seconds = time.perf_counter() - started
            if broadcast.recipients != ROWS:
                raise SystemExit(f"{database}: queued {broadcast.recipients}, expected {ROWS}")
            print(f"{database:>10}: round {round_number}: bare {bare_seconds:.2f} s, queued {queued_seconds:.2f} s")
            if round_number:
                bare.append(bare_seconds)
                queued.append(queued_seconds)
            if round_number == ROUNDS:
                batch_seconds = time_batches(broadcast.id)
            # Start each round from the same tables, with the tables and indexes rewritten:
            # deleted rounds would otherwise leave them bloated for the next.
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.broadcast_id.is_not(None)))
            db.session.execute(delete(BroadcastRecipient))
            db.session.execute(delete(plain))
            db.session.commit()
            tables = ("outbox_messages", "broadcast_recipients", "broadcast_bench_plain")
            compact = [f"VACUUM FULL ANALYZE {table}" for table in tables]
            run_outside_a_transaction(compact if database == "postgresql" else ["VACUUM", "ANALYZE"])
        db.session.remove()
        db.engine.dispose()
    return min(bare), min(queued), batch_seconds


def main() -> int:
    print(f"broadcast to {ROWS:,} leads, best of {ROUNDS} rounds", flush=True)
    results = {database: measure(database) for database in DATABASES}
    header = f"{'database':<11}{'bare INSERT ... SELECT':>24}{'queue the broadcast':>22}{'rows/s':>12}"
    print(f"\n{header}{'one batch (median)':>20}")
    for database, (bare, queued, batch) in results.items():
        print(f"{database:<11}{bare:>22.2f} s{queued:>20.2f} s{ROWS / queued:>12,.0f}{batch * 1000:>17.0f} ms")
    print()
    for database, (bare, queued, _batch) in results.items():
        ratio = queued / bare
        verdict = "met" if ratio <= TARGET else "MISSED"
        print(f"RESULT broadcast-{database} ratio={ratio:.2f} target=<={TARGET:g} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
