"""Real worker processes: one killed with SIGKILL mid-batch, and two draining one queue side by side."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from leadgen.extensions import db
from leadgen.outbox.models import OutboxMessage
from leadgen.outbox.service import enqueue

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORKER_NAME = "leadgen-test-worker"

pytestmark = pytest.mark.slow


def start_worker(database_url: str, smtp, log_path: Path, **settings) -> subprocess.Popen:
    """`flask --app wsgi outbox work` in its own process, as the Procfile runs it."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PUBLIC_BASE_URL": "http://leadgen.test",
        "SMTP_TIMEOUT": "5",
        "OUTBOX_POLL_INTERVAL": "0.1",
        **settings,
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work"]
    with log_path.open("ab") as log:
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(worker: subprocess.Popen) -> None:
    """SIGTERM (the worker finishes its message), then wait; SIGKILL only if it hangs."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def queue_messages(app, count: int) -> set[str]:
    """Queue `count` delivery mails in one transaction; return their Message-IDs."""
    with app.app_context():
        for number in range(count):
            enqueue(
                template="ebook_delivery",
                recipient=f"lead{number}@example.com",
                recipient_name=f"Lead {number}",
                context={"first_name": f"Lead {number}", "lead_id": number + 1},
                dedupe_key=f"test:{number}",
            )
        db.session.commit()
        return set(db.session.scalars(select(OutboxMessage.message_id)))


def wait_until(condition, seconds: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def count_sent(app) -> int:
    with app.app_context():
        sent = db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
        db.session.remove()
        return sent


def describe(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-3000:]


def test_worker_killed_mid_batch_loses_nothing_and_resends_at_most_the_one_in_flight(app, smtp, database_url, tmp_path):
    message_ids = queue_messages(app, 30)
    smtp.handler.delay = 0.05  # each DATA takes a while: the kill lands inside a batch
    log_path = tmp_path / "workers.log"
    # A claim lasts at least five SMTP_TIMEOUTs: a short timeout keeps the second worker's wait short.
    settings = {"OUTBOX_LEASE": "2s", "OUTBOX_BATCH_SIZE": "10", "SMTP_TIMEOUT": "2"}
    first = start_worker(database_url, smtp, log_path, **settings)
    try:
        wait_until(lambda: len(smtp.messages) >= 3, 60, "the first worker to send a few messages")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        assert len(smtp.messages) < 30, "the first worker finished before the kill"
        second = start_worker(database_url, smtp, log_path, **settings)
        try:
            wait_until(lambda: count_sent(app) == 30, 90, "the second worker to send the rest")
        finally:
            stop(second)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    received = Counter(message["Message-ID"] for message in smtp.messages)
    assert set(received) == message_ids, describe(log_path)
    twice = [message_id for message_id, times in received.items() if times > 1]
    assert len(twice) <= 1 and max(received.values()) <= 2, (received, describe(log_path))


@pytest.mark.postgresql_only
def test_two_workers_drain_one_queue_and_send_each_message_once(app, smtp, database_url, tmp_path):
    log_path = tmp_path / "workers.log"
    named_url = f"{database_url}?application_name={WORKER_NAME}"
    settings = {"OUTBOX_BATCH_SIZE": "10"}
    workers = [start_worker(named_url, smtp, log_path, **settings) for _ in range(2)]
    try:

        def both_polling() -> bool:
            with app.app_context():
                query = text("SELECT count(DISTINCT pid) FROM pg_stat_activity WHERE application_name = :name")
                polling = db.session.scalar(query, {"name": WORKER_NAME})
                db.session.remove()
            return polling >= 2

        wait_until(both_polling, 60, "both workers to connect")
        message_ids = queue_messages(app, 200)
        wait_until(lambda: count_sent(app) == 200, 120, "the workers to send 200 messages")
    finally:
        for worker in workers:
            stop(worker)

    received = Counter(message["Message-ID"] for message in smtp.messages)
    assert received == Counter({message_id: 1 for message_id in message_ids}), describe(log_path)
    with app.app_context():
        senders = Counter(db.session.scalars(select(OutboxMessage.locked_by)))
    assert len(senders) == 2, senders  # both workers took part
