"""The outbox worker: claim due messages, render them, deliver them, record the outcome."""

import logging
import os
import signal
import smtplib
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import current_app
from flask_mail import Message
from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from ..leads.models import Lead
from . import service
from .mailer import open_connection
from .models import OutboxMessage
from .policy import reason_not_to_send
from .render import public_site_links, render_email

log = logging.getLogger(__name__)

# Failures of the connection itself: the rest of the batch waits for the next attempt.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)
# The relay's refusal of one message; the connection goes on (SMTPException is an OSError too).
REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException)


def worker_name() -> str:
    """host:pid, shown on claimed rows so staff can tell which worker holds them."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_permanent_rejection(error: smtplib.SMTPRecipientsRefused) -> bool:
    """A 5xx for every recipient: the address does not exist, retrying will not help."""
    return all(code >= 500 for code, _reply in error.recipients.values())


def record_bounce(message: OutboxMessage) -> None:
    """A hard bounce stops all further marketing mail to the lead."""
    if message.lead_id and (lead := db.session.get(Lead, message.lead_id)):
        lead.bounced_at = lead.bounced_at or utcnow()


def prepare(message: OutboxMessage) -> Message | None:
    """Render a claimed message for the relay, or settle it here and return None.

    It is cancelled when a delivery rule says no (unsubscribed, booked...), and retried
    later when its template fails to render: a broken template must not stop the queue.
    """
    if reason := reason_not_to_send(message):
        service.cancel(message, reason)
        return None
    try:
        email = render_email(message)
    except Exception as error:
        log.exception("could not render outbox message %s", message.id)
        service.record_failure(message, f"render failed: {error!r}")
        return None
    # End the read transaction before SMTP talks: on SQLite it holds the write lock (BEGIN IMMEDIATE).
    db.session.commit()
    return email


def record_answer(message: OutboxMessage, error: Exception | None) -> None:
    """Record the relay's answer to one message: accepted, refused for now, or bounced."""
    if error is None:
        service.mark_sent(message)
        log.info("sent outbox message %s (%s) to lead %s", message.id, message.template, message.lead_id)
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        permanent = is_permanent_rejection(error)
        if permanent:
            record_bounce(message)
        service.record_failure(message, f"recipient refused: {error.recipients}", permanent=permanent)
    elif isinstance(error, smtplib.SMTPResponseException):
        service.record_failure(message, f"SMTP {error.smtp_code}: {error.smtp_error!r}")
    else:
        raise error


def lease_ended(message: OutboxMessage) -> bool:
    """True once the claim has run out: another worker may have retaken the message."""
    return message.locked_until is not None and message.locked_until <= utcnow()


class Wire:
    """The batch's one relay connection, sending on its own thread one message at a time.

    While the relay answers one message (four round trips), the worker renders the next:
    the relay's latency and our CPU overlap. Only one message is ever on the wire, and its
    answer is recorded before the next goes, so a crash resends at most that one.
    """

    def __init__(self, connection):
        self.connection = connection
        self.app = current_app._get_current_object()
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-smtp")
        self.on_wire: tuple[OutboxMessage, Future] | None = None

    def _send(self, email: Message) -> None:
        with self.app.app_context():  # flask-mail signals the send through current_app
            self.connection.send(email)

    def send(self, message: OutboxMessage, email: Message) -> None:
        """Put a message on the wire; the one before it must have been settled."""
        assert self.on_wire is None, "one message on the wire at a time"
        self.on_wire = (message, self.thread.submit(self._send, email))

    def settle(self) -> None:
        """Wait for the relay's answer to the message on the wire and record it.

        A failed connection raises here, with that message still in `on_wire`.
        """
        if self.on_wire is None:
            return
        message, answer = self.on_wire
        error = answer.exception()
        if isinstance(error, CONNECTION_ERRORS) and not isinstance(error, REFUSALS):
            raise error
        self.on_wire = None
        record_answer(message, error)

    def close(self) -> None:
        self.thread.shutdown(wait=True)


def deliver_emails(messages: list[OutboxMessage]) -> None:
    """Send a batch over one connection; if the connection fails, the rest retry later."""
    waiting = list(messages)  # not yet handed to the relay, nor settled here
    wire = None
    try:
        with open_connection() as connection, public_site_links():
            wire = Wire(connection)
            try:
                for message in messages:
                    if lease_ended(message):
                        break
                    email = prepare(message)  # while the message before it is on the wire
                    if email is not None:
                        wire.settle()
                        if lease_ended(message):  # the wait for the relay outlasted it
                            break
                        wire.send(message, email)
                    waiting.remove(message)
                wire.settle()
                if waiting:
                    # A slow relay outlasted the lease: leave the rest to whoever retakes them.
                    log.warning("outbox lease ended; leaving %d message(s) for the next claim", len(waiting))
            finally:
                wire.close()
    except CONNECTION_ERRORS as error:
        if wire is not None and wire.on_wire is not None:
            waiting.insert(0, wire.on_wire[0])
        log.warning("mail connection failed (%r); %d message(s) will be retried", error, len(waiting))
        for message in waiting:
            service.record_failure(message, f"connection failed: {error!r}")


def deliver_batch(worker_id: str) -> int:
    """Claim one batch of due messages and deliver it; return how many were claimed."""
    ids = service.claim_due_messages(worker_id, current_app.config["OUTBOX_BATCH_SIZE"])
    if not ids:
        return 0
    messages = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id))
    )
    # Out of the session: the commit after each message does not expire (and reload) the rest.
    for message in messages:
        db.session.expunge(message)
    # Nor hold it while the relay connects (a silent relay takes SMTP_TIMEOUT): web requests would wait.
    db.session.commit()
    emails = [message for message in messages if message.kind == "email"]
    for message in messages:
        if message.kind != "email":
            deliver_other(message)
    if emails:
        deliver_emails(emails)
    db.session.remove()
    return len(ids)


def deliver_other(message: OutboxMessage) -> None:
    """Messages that are not email (webhook calls) are delivered by their own module."""
    from .webhooks import deliver_webhook  # imported here: webhooks need the staff models

    deliver_webhook(message)


def run_worker(once: bool = False, stop: threading.Event | None = None) -> int:
    """Deliver until stopped (SIGTERM/SIGINT finish the current message), or once until idle."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    worker_id = worker_name()
    total = 0
    while not stop.is_set():
        try:
            claimed = deliver_batch(worker_id)
        except Exception:  # the database is away: wait and try again, never die
            log.exception("outbox batch failed; retrying shortly")
            db.session.rollback()
            claimed = 0
            if once:
                break
        total += claimed
        if claimed == 0:
            if once:
                break
            stop.wait(current_app.config["OUTBOX_POLL_INTERVAL"])
    return total
