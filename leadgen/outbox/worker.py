"""The outbox worker: claim due messages, render them, deliver them, record the outcome."""

import logging
import os
import signal
import smtplib
import socket
import threading

from flask import current_app
from sqlalchemy import select

from ..broadcasts.recipients import queue_due_recipients
from ..database import utcnow
from ..extensions import db
from ..leads.models import Lead
from ..webinars.after import queue_after_mail
from . import claims, service
from .mailer import open_connection
from .models import OutboxMessage
from .policy import reason_not_to_send
from .render import render_email
from .webhooks import deliver_webhook

log = logging.getLogger(__name__)

# Failures of the connection itself: the rest of the batch waits for the next attempt.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)
# Why a message to an address with non-ASCII letters before the @ fails at once (no retry
# helps until the relay changes; the console's Retry button sends it again then).
NO_SMTPUTF8 = "the mail relay does not accept addresses with non-ASCII letters before the @ (no SMTPUTF8)"


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


def send_one(connection, message: OutboxMessage) -> None:
    """Deliver one claimed message over an open connection and record what happened.

    Whatever goes wrong with this message alone (it cannot be built, encoded or sent) fails
    it alone, with its reason; only a failure of the connection itself reaches the caller.
    """
    if reason := reason_not_to_send(message):
        service.cancel(message, reason)
        return
    try:
        email = render_email(message)
    except Exception as error:  # a broken template must not stop the queue
        log.exception("could not render outbox message %s", message.id)
        service.record_failure(message, f"render failed: {error!r}")
        return
    # End the read transaction before SMTP talks: on SQLite it holds the write lock (BEGIN IMMEDIATE).
    db.session.commit()
    # The claim must outlast this send. Checked again here, after the stop rule and rendering
    # (on a busy SQLite their read waits for the write lock): a claim that ran out meanwhile
    # may have been retaken, and the other worker sends the message.
    if not hold_claim([message]):
        return
    try:
        connection.send(email)
    except smtplib.SMTPRecipientsRefused as error:
        permanent = is_permanent_rejection(error)
        if permanent:
            record_bounce(message)
        service.record_failure(message, f"recipient refused: {error.recipients}", permanent)
        return
    except smtplib.SMTPResponseException as error:
        service.record_failure(message, f"SMTP {error.smtp_code}: {error.smtp_error!r}")
        return
    except smtplib.SMTPNotSupportedError:  # raised before MAIL FROM: the connection is as it was
        service.record_failure(message, NO_SMTPUTF8, permanent=True)
        return
    except CONNECTION_ERRORS:
        raise  # the connection itself failed: deliver_emails retries the rest of the batch
    except Exception as error:  # this message alone cannot be built, encoded or sent
        log.exception("could not send outbox message %s", message.id)
        service.record_failure(message, f"could not send: {error!r}")
        connection.reset()  # the relay may be left inside this message's transaction
        return
    service.mark_sent(message)
    log.info("sent outbox message %s (%s) to lead %s", message.id, message.template, message.lead_id)


def hold_claim(pending: list[OutboxMessage]) -> list[OutboxMessage]:
    """The messages of a batch still claimed by this worker, with lease left for one more send.

    When less is left than one send may take, the claim is renewed first. A claim that has
    already run out (a paused worker, a jump of the clock) renews nothing: another worker
    may have retaken the rest of the batch, so it is left to them.
    """
    if not pending or pending[0].locked_until - utcnow() >= claims.longest_send():
        return pending
    still_held = claims.renew_claim(pending)
    if len(still_held) < len(pending):
        log.warning("outbox claim ran out; leaving %d message(s) for the next claim", len(pending) - len(still_held))
    return still_held


def deliver_emails(messages: list[OutboxMessage]) -> None:
    """Send a batch over one connection; if the connection fails, the rest retry later."""
    pending = list(messages)
    try:
        with open_connection() as connection:
            while pending := hold_claim(pending):
                send_one(connection, pending[0])
                pending.pop(0)
    except CONNECTION_ERRORS as error:
        log.warning("mail connection failed (%r); %d message(s) will be retried", error, len(pending))
        for message in pending:
            service.record_failure(message, f"connection failed: {error!r}")


def deliver_batch(worker_id: str) -> int:
    """Claim one batch of due messages and deliver it; return how many were claimed."""
    ids = claims.claim_due_messages(worker_id, current_app.config["OUTBOX_BATCH_SIZE"])
    if not ids:
        return 0
    # The batch stays loaded across the commit after each message instead of each commit
    # reloading it (a SELECT per message and attribute read); db.session.remove() below ends
    # this session, and with it the setting.
    db.session().expire_on_commit = False
    # In claim order, so within a batch too what a person asked for goes before broadcast mail.
    claim_order = (OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id)
    messages = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(*claim_order)))
    emails = [message for message in messages if message.kind == "email"]
    webhook_calls = [message for message in messages if message.kind != "email"]  # the only other kind
    # End the transaction before the relay connects (a silent one takes SMTP_TIMEOUT): on
    # SQLite it holds the write lock, and web requests would wait.
    db.session.commit()
    while webhook_calls := hold_claim(webhook_calls):
        call_webhook(webhook_calls.pop(0))
    if emails:
        deliver_emails(emails)
    db.session.remove()
    return len(ids)


def call_webhook(message: OutboxMessage) -> None:
    """POST one webhook call (a row of kind "webhook"); a failure fails this call alone."""
    try:
        deliver_webhook(message)
    except Exception as error:  # whatever breaks one call must not hold up the batch
        log.exception("could not deliver outbox message %s", message.id)
        service.record_failure(message, f"could not deliver: {error!r}")


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
            queue_after_mail()  # the webinars' after-the-end mail, queued when its time comes
            queue_due_recipients()  # due broadcasts' next batch of mail, as BROADCAST_RATE leaves room
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
