"""Outbox worker throughput against raw smtplib, to the same local aiosmtpd sink, in the same run.

For each database: queue MESSAGES delivery mails, render them once and send those bytes with
raw smtplib over one connection (the yardstick: nothing but SMTP), then queue the same number
again and time `run_worker(once=True)` draining them (claim, render, send, record). Prints
both rates and the worker/raw ratio last. Target: ratio >= 0.7.

Relay case: the same, against a sink that answers each message after 1/RELAY_RATE seconds (a
relay taking tens of messages a second, as the clinic's does: bench/outbox/relay.py). Raw smtplib
and the worker both wait for each answer, so this ratio is what a clinic sees: whether the worker
keeps up with its relay. Target: ratio >= 0.8.

History case, in the same database: with HISTORY delivered mails (default 5,000,000) added
to the table, time claiming a batch (median of CLAIMS) and the drain rate again, against the
same measures on the table before the history. Target: each at most 1.2x the empty table's.

Settings from the environment: BENCH_MESSAGES (default 5000), BENCH_RELAY_RATE (default 30
messages a second; 0 skips the case), BENCH_RELAY_MESSAGES (default 300), BENCH_HISTORY (default
5000000; 0 skips the case), BENCH_DATABASES (default "sqlite,postgresql"),
BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1/leadgen_bench_outbox).
"""

import logging
import os
import shutil
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask import current_app  # noqa: E402
from sqlalchemy import func, select, update  # noqa: E402

from bench.common import free_port, recreate_postgresql  # noqa: E402
from bench.export.data import fill_sent_mail  # noqa: E402
from leadgen import create_app  # noqa: E402
from leadgen.extensions import db  # noqa: E402
from leadgen.outbox.claims import claim_due_messages  # noqa: E402
from leadgen.outbox.models import OutboxMessage  # noqa: E402
from leadgen.outbox.render import render_email  # noqa: E402
from leadgen.outbox.service import enqueue  # noqa: E402
from leadgen.outbox.worker import run_worker  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "5000"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "5000000"))
RELAY_RATE = float(os.environ.get("BENCH_RELAY_RATE", "30"))
RELAY_MESSAGES = int(os.environ.get("BENCH_RELAY_MESSAGES", "300"))
RELAY_TARGET = 0.8
CLAIMS = 21  # claims timed per table state; the median counts
CLAIM_BATCH = 50
HISTORY_TARGET = 1.2
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/leadgen_bench_outbox")


def start_sink(port: int, rate: float = 0) -> subprocess.Popen:
    """aiosmtpd in its own process, so it never competes with us for the GIL: its Sink handler,
    or with a rate, bench/outbox/relay.py's PacedSink."""
    handler = ["bench.outbox.relay.PacedSink", str(rate)] if rate else ["aiosmtpd.handlers.Sink"]
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", *handler]
    sink = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=1) as smtp:
                smtp.noop()
            return sink
        except OSError:
            time.sleep(0.1)
    sink.kill()
    raise SystemExit("the aiosmtpd sink did not start")


def queue(count: int, label: str) -> None:
    """Queue `count` ebook delivery mails in one transaction."""
    for number in range(count):
        enqueue(
            template="ebook_delivery",
            recipient=f"lead{number}@example.com",
            recipient_name=f"Lead {number}",
            context={"first_name": f"Lead {number}", "lead_id": number + 1},
            dedupe_key=f"bench:{label}:{number}",
        )
    db.session.commit()


def raw_smtplib_rate(app, count: int = MESSAGES, label: str = "raw") -> tuple[float, float]:
    """(messages per second, CPU ms per message) for raw smtplib sending pre-rendered messages."""
    queue(count, label)
    rendered = []
    for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        email = render_email(message)
        rendered.append((email.sender, [message.recipient], email.as_bytes()))
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()
    started, cpu = time.perf_counter(), time.process_time()
    with smtplib.SMTP(app.config["MAIL_SERVER"], app.config["MAIL_PORT"], timeout=30) as smtp:
        for sender, recipients, data in rendered:
            smtp.sendmail(sender, recipients, data)
    cpu_ms = (time.process_time() - cpu) * 1000 / len(rendered)
    return len(rendered) / (time.perf_counter() - started), cpu_ms


def worker_rate(label: str = "worker", count: int = MESSAGES) -> tuple[float, float]:
    """(messages per second, CPU ms per message) for one worker draining the queue."""
    queue(count, label)
    sent_before = db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
    db.session.remove()
    started, cpu = time.perf_counter(), time.process_time()
    run_worker(once=True)
    elapsed = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu) * 1000 / count
    sent = db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) - sent_before
    if sent != count:
        raise SystemExit(f"the worker sent {sent} of {count} messages")
    return count / elapsed, cpu_ms


def relay_case(url: str, workdir: Path, relay_port: int) -> tuple[float, float]:
    """(raw smtplib, worker) messages per second, each sending RELAY_MESSAGES to the paced relay."""
    with bench_app(url, workdir, relay_port).app_context():
        rates = (
            raw_smtplib_rate(current_app, RELAY_MESSAGES, "relay-raw")[0],
            worker_rate("relay-worker", RELAY_MESSAGES)[0],
        )
        db.session.remove()
        db.engine.dispose()
    return rates


def claim_seconds(label: str) -> float:
    """Median seconds to claim a batch of due messages (each claim is released again, untimed)."""
    queue(CLAIM_BATCH * 4, label)
    times = []
    for _ in range(CLAIMS):
        started = time.perf_counter()
        ids = claim_due_messages("bench", CLAIM_BATCH)
        times.append(time.perf_counter() - started)
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(status="queued"))
        db.session.commit()
    db.session.execute(OutboxMessage.__table__.delete().where(OutboxMessage.dedupe_key.like(f"bench:{label}:%")))
    db.session.commit()
    return statistics.median(times)


def history_case(database: str) -> dict:
    """Claim time and drain rate on the table as it is, then with HISTORY delivered mails in it."""
    before = {"claim": claim_seconds("claim-before"), "drain": worker_rate("drain-before")[0]}
    db.session.remove()  # on SQLite its open transaction holds the write lock the fill needs
    started = time.perf_counter()
    with db.engine.connect() as connection:
        first_id = connection.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0))) + 1
        fill_sent_mail(connection, database, HISTORY, first_id)
    if database == "sqlite":  # copy the fill's WAL into the database now, not during the timing
        raw = db.engine.raw_connection()  # outside SQLAlchemy's BEGIN IMMEDIATE: no open transaction
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    print(f"{database:>10}: {HISTORY:,} delivered mails added in {time.perf_counter() - started:.0f} s", flush=True)
    after = {"claim": claim_seconds("claim-after"), "drain": worker_rate("drain-after")[0]}
    return {"before": before, "after": after}


def bench_app(url: str, workdir: Path, mail_port: int):
    """The app on the benchmark's database, sending to the sink on `mail_port`."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "benchmark-secret-key",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": mail_port,
        }
    )


def measure(database: str, port: int, relay_port: int | None) -> dict:
    """The database's rates: "raw" and "worker" (each with its CPU), "relay" and "history" (None when skipped)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"leadgen-bench-outbox-{database}-"))
    try:
        url = recreate_postgresql(POSTGRES_URL) if database == "postgresql" else f"sqlite:///{workdir / 'b.sqlite3'}"
        with bench_app(url, workdir, port).app_context():
            db.create_all()
            rates = {"raw": raw_smtplib_rate(current_app), "worker": worker_rate()}
            db.session.remove()
            rates["relay"] = relay_case(url, workdir, relay_port) if relay_port else None
            rates["history"] = history_case(database) if HISTORY else None
            db.session.remove()
            db.engine.dispose()
        return rates
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    logging.disable(logging.INFO)  # the worker logs each message; the benchmark is not about logging
    port, relay_port = free_port(), free_port() if RELAY_RATE else None
    sinks = [start_sink(port)] + ([start_sink(relay_port, RELAY_RATE)] if relay_port else [])
    ratios, relays, histories = {}, {}, {}
    try:
        for database in DATABASES:
            rates = measure(database, port, relay_port)
            (raw, raw_cpu), (worker, worker_cpu) = rates["raw"], rates["worker"]
            ratios[database], relays[database], histories[database] = worker / raw, rates["relay"], rates["history"]
            print(
                f"{database:>10}: raw smtplib {raw:7.0f} msg/s ({raw_cpu:.2f} ms CPU/msg)"
                f"   worker {worker:7.0f} msg/s ({worker_cpu:.2f} ms CPU/msg)",
                flush=True,
            )
            if rates["relay"]:
                relay_raw, relay_worker = rates["relay"]
                print(
                    f"{database:>10}: to a relay answering {RELAY_RATE:g} msg/s: raw smtplib {relay_raw:.1f} msg/s"
                    f"   worker {relay_worker:.1f} msg/s",
                    flush=True,
                )
    finally:
        for sink in sinks:
            sink.terminate()
            sink.wait(timeout=10)
    # The result lines bench/run reads (bench/README.md), the ratio last.
    for database, history in histories.items():
        if history:
            before, after = history["before"], history["after"]
            print(
                f"{database:>10}: claim of {CLAIM_BATCH} {before['claim'] * 1000:.2f} ms -> "
                f"{after['claim'] * 1000:.2f} ms with {HISTORY:,} sent; drain {before['drain']:.0f} -> "
                f"{after['drain']:.0f} msg/s",
                flush=True,
            )
    for database, ratio in ratios.items():
        print(f"RESULT outbox-{database} ratio={ratio:.2f} target=>=0.7 {'met' if ratio >= 0.7 else 'MISSED'}")
    for database, relay in relays.items():
        if relay:
            ratio = relay[1] / relay[0]
            verdict = "met" if ratio >= RELAY_TARGET else "MISSED"
            print(f"RESULT outbox-relay-{database} ratio={ratio:.2f} target=>={RELAY_TARGET:g} {verdict}")
    for database, history in histories.items():
        if history:
            before, after = history["before"], history["after"]
            for name, ratio in (
                ("claim", after["claim"] / before["claim"]),
                ("drain", before["drain"] / after["drain"]),
            ):
                verdict = "met" if ratio <= HISTORY_TARGET else "MISSED"
                result = f"ratio={ratio:.2f} target=<={HISTORY_TARGET:g} {verdict}"
                print(f"RESULT outbox-history-{name}-{database} {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
