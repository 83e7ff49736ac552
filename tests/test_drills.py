"""Fault drills, end to end: gunicorn as in the Procfile, outbox worker processes, real SMTP,
concurrent HTTP clients; each drill ends by counting.

  leads stored        = requests accepted (2xx)
  messages delivered  = messages queued (each Message-ID at least once)
  duplicates          <= worker crashes (at most the message in flight is resent)
"""

import signal
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage

from .drills import postgres
from .drills.harness import Service, SilentRelay, free_port, service_env, submit_ebook_requests, wait_until
from .mailserver import RecordingHandler

pytestmark = pytest.mark.slow

# How long a loaded machine may take to start `flask outbox work` and make its first claim.
WORKER_START_UP_SECONDS = 60


def addresses(count: int, tag: str) -> list[str]:
    return [f"{tag}{number}@example.com" for number in range(count)]


def stored(app) -> tuple[int, set[str]]:
    """(leads stored, Message-IDs of the delivery mail queued)."""
    with app.app_context():
        leads = db.session.scalar(select(func.count()).select_from(Lead))
        queued = set(db.session.scalars(select(OutboxMessage.message_id)))
        db.session.remove()
    return leads, queued


def delivered_all(app, handler) -> bool:
    """Every queued Message-ID received (cheap counts first: the relay shares this process)."""
    with app.app_context():
        queued_count = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.session.remove()
    if not queued_count or len(handler.messages) < queued_count:
        return False
    received = {message["Message-ID"] for message in list(handler.messages)}
    return stored(app)[1] <= received


def wait_for_delivery(app, handler, what: str, stall_seconds: float = 60) -> None:
    """Wait until every queued mail is received; fail when none arrives for `stall_seconds`.

    Progress, not a total: on a loaded machine the worker is slow, not stuck, and a fixed
    limit on 2,000 mails failed drills that were delivering; a stuck worker stops the count.
    """
    received, last_arrival = -1, time.monotonic()
    while not delivered_all(app, handler):
        if len(handler.messages) != received:
            received, last_arrival = len(handler.messages), time.monotonic()
        elif time.monotonic() - last_arrival > stall_seconds:
            raise AssertionError(f"no mail for {stall_seconds} s waiting for {what} ({received} received)")
        time.sleep(0.25)


def assert_counts(app, handler, tally, requests: int, crashes: int = 0, service=None) -> None:
    """The drill's closing count."""
    logs = service.log_tail() if service else ""
    assert tally.accepted == requests, (tally.statuses, logs)
    leads, queued = stored(app)
    assert leads == tally.accepted
    assert len(queued) == leads  # one delivery mail per lead (consent not given: no follow-ups)
    received = Counter(message["Message-ID"] for message in handler.messages)
    assert set(received) == queued, logs
    duplicates = sum(received.values()) - len(received)
    assert duplicates <= crashes, (duplicates, logs)


class Relay:
    """An SMTP relay that can be switched on later, on a port chosen in advance."""

    def __init__(self, port: int):
        self.handler = RecordingHandler()
        self.port = port
        self.controller = None

    def __enter__(self):
        # The port may be briefly held by the closing connections of the relay it replaces.
        deadline = time.monotonic() + 10
        while True:
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            try:
                self.controller.start()
                return self
            except OSError:
                self.controller.loop.close()  # the failed start leaves its event loop open
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def __exit__(self, *exc_info):
        self.controller.stop()


def count_messages(app, condition) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(condition))
        db.session.remove()
    return count


def wait_for_the_worker_to_give_up(app, service, relay: str) -> None:
    """Wait for the worker to start and claim mail (however long a loaded machine takes), then
    for it to give up on the relay: within SMTP_TIMEOUT, plus the time to record that."""
    claimed = OutboxMessage.attempts > 0
    wait_until(lambda: count_messages(app, claimed), WORKER_START_UP_SECONDS, "the worker to start and claim mail")
    smtp_timeout = float(service.env["SMTP_TIMEOUT"])
    failed = OutboxMessage.last_error.is_not(None)
    wait_until(lambda: count_messages(app, failed), 2 * smtp_timeout + 10, f"the worker to give up on {relay}")


def test_smtp_refused_requests_still_succeed_and_every_mail_goes_once_it_returns(app, database_url, tmp_path):
    port = free_port()  # nothing listens: every connection is refused
    with Service(service_env(database_url, port), tmp_path) as service:
        base_url = service.start_web()
        service.start_worker()
        tally = submit_ebook_requests(base_url, addresses(100, "refused"), clients=10)
        wait_for_the_worker_to_give_up(app, service, "the refused relay")
        with Relay(port) as relay:
            wait_for_delivery(app, relay.handler, "delivery after the relay came back")
            assert_counts(app, relay.handler, tally, 100, service=service)


def test_silent_smtp_is_bounded_and_every_mail_goes_once_it_answers(app, database_url, tmp_path):
    # The relay's silence outlasts SQLite's 10 s busy timeout: a worker holding the database
    # while it waits would turn every request into "database is locked".
    silent = SilentRelay()
    try:
        with Service(service_env(database_url, silent.port, SMTP_TIMEOUT="12"), tmp_path) as service:
            base_url = service.start_web()
            service.start_worker()
            started = time.monotonic()
            tally = submit_ebook_requests(base_url, addresses(100, "silent"), clients=10)
            assert time.monotonic() - started < 60  # requests never wait for SMTP
            wait_for_the_worker_to_give_up(app, service, "the silent relay")
            silent.close()
            with Relay(silent.port) as relay:
                wait_for_delivery(app, relay.handler, "delivery after the relay answered")
                assert_counts(app, relay.handler, tally, 100, service=service)
    finally:
        silent.close()


def test_relay_failing_one_message_in_three_delivers_every_mail_once(app, database_url, smtp, tmp_path):
    smtp.handler.fail_every = 3
    with Service(service_env(database_url, smtp.port), tmp_path) as service:
        base_url = service.start_web()
        service.start_worker()
        tally = submit_ebook_requests(base_url, addresses(150, "flaky"), clients=10)
        wait_for_delivery(app, smtp.handler, "every mail past the flaky relay")
        assert smtp.handler.refused, "the relay refused nothing: the drill tested nothing"
        assert_counts(app, smtp.handler, tally, 150, service=service)


def test_worker_killed_mid_batch_while_requests_arrive(app, database_url, smtp, tmp_path):
    smtp.handler.delay = 0.02  # each DATA takes a moment: the kill lands inside a batch
    env = service_env(database_url, smtp.port, OUTBOX_BATCH_SIZE=20, OUTBOX_LEASE="2s")
    with Service(env, tmp_path) as service:
        base_url = service.start_web()
        worker = service.start_worker()
        results = {}
        sender = threading.Thread(
            target=lambda: results.update(tally=submit_ebook_requests(base_url, addresses(200, "kill"), clients=10))
        )
        sender.start()
        wait_until(lambda: len(smtp.messages) >= 20, 60, "the worker to send some mail")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert worker.returncode == -signal.SIGKILL
        service.start_worker()
        sender.join(timeout=120)
        wait_for_delivery(app, smtp.handler, "the new worker to send the rest")
        assert_counts(app, smtp.handler, results["tally"], 200, crashes=1, service=service)


def test_burst_of_2000_submissions_from_50_clients(app, database_url, smtp, tmp_path):
    with Service(service_env(database_url, smtp.port, OUTBOX_BATCH_SIZE=200), tmp_path) as service:
        base_url = service.start_web()
        service.start_worker()
        started = time.monotonic()
        tally = submit_ebook_requests(base_url, addresses(2000, "burst"), clients=50)
        elapsed = time.monotonic() - started
        wait_for_delivery(app, smtp.handler, "every burst mail to be delivered")
        delivered = time.monotonic() - started
        assert_counts(app, smtp.handler, tally, 2000, service=service)
    print(
        f"burst: 2000 submissions in {elapsed:.1f} s ({2000 / elapsed:.0f}/s), all mail delivered at {delivered:.1f} s"
    )


@pytest.fixture
def drill_cluster():
    """A private PostgreSQL cluster on 5433 (the shared one is never restarted); its URL. Stopped after."""
    if reason := postgres.why_unavailable():
        pytest.skip(reason)
    yield postgres.ensure_cluster()
    postgres.stop()


@pytest.mark.postgresql_only
def test_postgresql_restarted_while_requests_and_the_worker_run(drill_cluster, make_app, smtp, tmp_path):
    url = drill_cluster
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    smtp.handler.delay = 0.005
    with Service(service_env(url, smtp.port), tmp_path) as service:
        base_url = service.start_web()
        worker = service.start_worker()
        before = submit_ebook_requests(base_url, addresses(200, "before"), clients=10)
        wait_until(lambda: len(smtp.messages) >= 20, 60, "mail flowing before the restart")
        restart = threading.Thread(target=lambda: (time.sleep(0.3), postgres.restart()))
        restart.start()
        # Clients retry a failed attempt (as a person presses the button again), for up to ~20 s.
        during = submit_ebook_requests(base_url, addresses(400, "during"), clients=10, attempts=100)
        restart.join(timeout=60)
        assert during.retried, "no request met the restart: the drill tested nothing"
        wait_for_delivery(app, smtp.handler, "delivery after the restart")
        assert worker.poll() is None, "the worker died with the database:\n" + service.log_tail()
        before.statuses.update(during.statuses)
        # A mail the relay accepted just before the database went away may be sent again.
        assert_counts(app, smtp.handler, before, 600, crashes=1, service=service)
    print(f"restart drill: {during.retried} attempts repeated by clients")
