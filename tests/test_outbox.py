"""The outbox against a real SMTP server that refuses, hangs, fails now and then, or bounces."""

import email
import email.header
import email.policy
import re
import time
from collections import Counter
from datetime import timedelta

import time_machine
from sqlalchemy import select

from leadgen.database import utcnow
from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage

from .helpers import submit_form, work_once
from .mailserver import SilentServer, free_port


def request_ebook(client, email_address: str = "ana@example.com") -> int:
    """Ask for the ebook through the API, as the clinic's website does."""
    response = client.post("/api/v1/ebook-requests", json={"email": email_address, "first_name": "Ana"})
    assert response.status_code == 202
    with client.application.app_context():  # the answer names no lead: look it up as staff would
        return db.session.scalars(select(Lead.id).where(Lead.email == email_address)).one()


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return messages


def drain_with_time_travel(app, rounds: int = 10) -> None:
    """Run the worker, then jump past the longest back-off, until nothing is queued."""
    moment = utcnow()
    for _ in range(rounds):
        with time_machine.travel(moment, tick=False):
            work_once(app)
        if all(message.status != "queued" for message in outbox(app)):
            return
        moment += max(app.config["OUTBOX_RETRY_DELAYS"]) + timedelta(seconds=1)


def received_ids(smtp) -> Counter:
    return Counter(message["Message-ID"] for message in smtp.messages)


def test_smtp_refused_keeps_the_message_then_delivers_it_once(app, make_app, client, smtp):
    down = make_app(MAIL_PORT=free_port())
    form = submit_form(down.test_client(), "/ebook", {"first_name": "Ana", "email": "ana@example.com"}, action="/ebook")
    assert form.status_code == 303
    assert request_ebook(down.test_client(), "bo@example.com")
    result = down.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    messages = outbox(app)
    assert len(messages) == 2
    for message in messages:
        assert (message.status, message.attempts) == ("queued", 1)
        assert "connection failed" in message.last_error and "refused" in message.last_error.lower()
        assert message.due_at > utcnow() + timedelta(seconds=30)  # the first back-off is a minute
    assert smtp.messages == []

    work_once(app)  # SMTP is back, but the back-off has not passed: nothing goes yet
    assert smtp.messages == []
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        work_once(app)
        work_once(app)
    assert sorted(received_ids(smtp).values()) == [1, 1]
    assert {message.message_id for message in outbox(app)} == set(received_ids(smtp))
    assert {(message.status, message.attempts, message.last_error) for message in outbox(app)} == {("sent", 2, None)}


def test_silent_smtp_is_bounded_by_the_timeout_then_retried_and_delivered_once(app, make_app, client, smtp):
    request_ebook(client)
    with SilentServer() as silent:
        hanging = make_app(MAIL_PORT=silent.port, SMTP_TIMEOUT=1.0)
        started = time.monotonic()
        work_once(hanging)
        assert time.monotonic() - started < 10
    [message] = outbox(app)
    assert (message.status, message.attempts) == ("queued", 1)
    assert "timed out" in message.last_error
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        work_once(app)
    assert list(received_ids(smtp).values()) == [1]
    assert outbox(app)[0].status == "sent"


def test_relay_failing_one_message_in_three_still_delivers_each_once(app, client, smtp):
    for number in range(10):
        request_ebook(client, f"lead{number}@example.com")
    smtp.handler.fail_every = 3
    drain_with_time_travel(app)
    messages = outbox(app)
    assert {message.status for message in messages} == {"sent"}
    assert received_ids(smtp) == Counter({message.message_id: 1 for message in messages})
    assert len(smtp.handler.refused) >= 3
    assert any(message.attempts > 1 for message in messages)


def test_retries_exhausted_marks_the_message_failed_with_the_error(make_app, smtp):
    app = make_app(OUTBOX_RETRY_DELAYS=[timedelta(minutes=1), timedelta(minutes=5)])
    app.test_client().post("/api/v1/ebook-requests", json={"email": "ana@example.com", "first_name": "Ana"})
    smtp.handler.fail_every = 1
    drain_with_time_travel(app)
    [message] = outbox(app)
    assert (message.status, message.attempts) == ("failed", 3)
    assert "451" in message.last_error
    assert smtp.messages == [] and len(smtp.handler.refused) == 3


def test_unknown_recipient_550_fails_at_once_and_marks_the_lead_bounced(app, client, smtp):
    lead_id = request_ebook(client, "nobody@example.com")
    request_ebook(client, "ana@example.com")
    smtp.handler.reject_recipients = {"nobody@example.com"}
    work_once(app)
    failed, sent = outbox(app)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "550" in failed.last_error
    assert sent.status == "sent"  # the refusal did not spoil the connection for the next one
    with app.app_context():
        assert db.session.get(Lead, lead_id).bounced_at is not None
    with time_machine.travel(utcnow() + timedelta(days=2), tick=False):
        work_once(app)
    assert [message["To"].addresses[0].addr_spec for message in smtp.messages] == ["ana@example.com"]


def test_message_id_is_the_rows_and_stays_the_same_across_a_retry(app, client, smtp):
    request_ebook(client)
    smtp.handler.fail_every = 1
    work_once(app)
    smtp.handler.fail_every = 0
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        work_once(app)
    [message] = outbox(app)
    [refused] = smtp.handler.refused
    [delivered] = smtp.messages
    assert message.message_id.startswith("<") and message.message_id.endswith(">")
    assert refused["Message-ID"] == delivered["Message-ID"] == message.message_id


def test_without_a_mail_server_each_message_is_a_parseable_eml_file(make_app, tmp_path, smtp):
    app = make_app(MAIL_SERVER="", MAIL_FILE_DIR=str(tmp_path / "mail"))
    app.test_client().post("/api/v1/ebook-requests", json={"email": "ana@example.com", "first_name": "Ana"})
    work_once(app)
    [path] = (tmp_path / "mail").glob("*.eml")
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    [message] = outbox(app)
    assert message.status == "sent"
    assert mail["Message-ID"] == message.message_id
    assert mail["To"].addresses[0].addr_spec == "ana@example.com"
    assert "5 Foundations" in mail["Subject"]
    assert "/ebook/download/" in mail.get_body(preferencelist=("plain",)).get_content()
    assert smtp.messages == []


def test_a_long_non_ascii_name_arrives_intact_in_to(app, client, smtp, deliver):
    name = 'José Ñandú-Øster, "Pepe" de la Cruz y Fernández-Villaverde, with a name that goes on'
    response = client.post("/api/v1/ebook-requests", json={"email": "jose@example.com", "first_name": name})
    assert response.status_code == 202
    deliver()
    [mail] = smtp.messages
    # Read the header as a mail client does (RFC 2047: no space between adjacent encoded
    # words); Python's own address parser inserts one, so decode the raw value here.
    [raw_to] = [value for key, value in mail.raw_items() if key == "To"]
    decoded = str(email.header.make_header(email.header.decode_header(re.sub(r"\r?\n", "", raw_to))))
    assert decoded == f"{name} <jose@example.com>"
