"""A broadcast never holds up what people asked for, and goes no faster than BROADCAST_RATE
(real SMTP server, the worker's own batch)."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import insert, select

from leadgen.broadcasts.models import Broadcast, BroadcastRecipient
from leadgen.broadcasts.recipients import queue_due_recipients
from leadgen.broadcasts.service import broadcast_progress, cancel_broadcast
from leadgen.config import parse_rate
from leadgen.database import utcnow
from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage
from leadgen.outbox.worker import deliver_batch, run_worker

from .helpers import add_lead, count, request_ebook, staff_token

NEWS = {"subject": "News for {first_name}", "body": "Hello {first_name}, our next webinar is on."}


def many_consenting_leads(app, how_many: int) -> None:
    """`how_many` leads who may receive marketing mail, in one statement."""
    now = utcnow()
    rows = [
        {"email": f"reader{n}@example.com", "first_name": "Reader", "source": "ebook", "marketing_consent": True}
        | {"created_at": now, "updated_at": now}
        for n in range(how_many)
    ]
    with app.app_context():
        db.session.execute(insert(Lead), rows)
        db.session.commit()


def subjects_to(smtp, address: str) -> list[str]:
    return [str(message["Subject"]) for message in smtp.messages if address in str(message["To"])]


def test_an_ebook_request_is_sent_in_the_next_batch_with_a_20000_broadcast_queued(app, client, smtp):
    many_consenting_leads(app, 20_000)
    answer = client.post("/api/v1/broadcasts", json=NEWS, headers=staff_token(app, role="marketing"))
    assert answer.get_json()["recipients"] == 20_000
    with app.app_context():
        queue_due_recipients()  # the worker's step before a batch: the broadcast's first batch
    request_ebook(client, "newcomer@example.net")

    with app.app_context():
        queue_due_recipients()  # before the next batch: nothing, a batch of it is waiting already
        claimed = deliver_batch("test-worker")
    assert claimed == app.config["OUTBOX_BATCH_SIZE"]
    assert subjects_to(smtp, "newcomer@example.net") == ["Your free ebook: The 5 Foundations of Autoimmune Diseases"]
    # First in its batch, too: it does not wait for the broadcast mail claimed beside it.
    assert "newcomer@example.net" in str(smtp.messages[0]["To"])
    # The rest of the batch was broadcast mail, within the rate.
    assert len(smtp.messages) == claimed


def test_sending_queues_recipients_and_the_worker_turns_a_batch_at_a_time_into_mail(app, client):
    many_consenting_leads(app, 2_000)
    answer = client.post("/api/v1/broadcasts", json=NEWS, headers=staff_token(app, role="marketing"))
    assert answer.status_code == 201 and answer.get_json()["recipients"] == 2_000
    from_the_broadcast = OutboxMessage.broadcast_id == answer.get_json()["id"]
    # "Send" wrote two ids per lead, and no mail yet: the outbox is not flooded.
    assert count(app, OutboxMessage, from_the_broadcast) == 0
    assert count(app, BroadcastRecipient) == 2_000
    batch = app.config["OUTBOX_BATCH_SIZE"]
    with app.app_context():
        assert queue_due_recipients() == batch
        assert queue_due_recipients() == 0  # that batch has not been claimed yet
    assert count(app, OutboxMessage, from_the_broadcast) == batch
    assert count(app, BroadcastRecipient) == 2_000 - batch
    with app.app_context():
        progress = broadcast_progress(db.session.get(Broadcast, answer.get_json()["id"]))
    assert (progress["status"], progress["queued"], progress["sent"]) == ("sending", 2_000, 0)


def test_the_worker_turns_no_more_recipients_into_mail_than_broadcast_rate_allows(clinic, smtp):
    app = clinic(BROADCAST_RATE=(3, timedelta(minutes=1)))
    for name in ("ana", "ben", "cy", "dee", "eve"):
        add_lead(app, f"{name}@example.com", consent=True)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        answer = app.test_client().post("/api/v1/broadcasts", json=NEWS, headers=staff_token(app))
        with app.app_context():
            assert queue_due_recipients() == 3
        assert count(app, OutboxMessage) == 3 and count(app, BroadcastRecipient) == 2
        with app.app_context():
            run_worker(once=True)
            assert queue_due_recipients() == 0  # three went this minute
        assert len(smtp.messages) == 3 and count(app, BroadcastRecipient) == 2
        # Cancelled now: the two recipients not yet turned into mail never go, and count as skipped.
        with app.app_context():
            broadcast = db.session.get(Broadcast, answer.get_json()["id"])
            assert cancel_broadcast(broadcast) == 2
            progress = broadcast_progress(broadcast)
        assert (progress["status"], progress["sent"], progress["skipped"], progress["queued"]) == ("cancelled", 3, 2, 0)
    with time_machine.travel(start + timedelta(minutes=5), tick=False), app.app_context():
        run_worker(once=True)
    assert len(smtp.messages) == 3 and count(app, OutboxMessage) == 3 and count(app, BroadcastRecipient) == 0


def test_broadcast_mail_goes_no_faster_than_broadcast_rate(clinic, smtp):
    app = clinic(BROADCAST_RATE=(3, timedelta(minutes=1)))
    client = app.test_client()
    for name in ("ana", "ben", "cy", "dee", "eve"):
        add_lead(app, f"{name}@example.com", consent=True)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        assert client.post("/api/v1/broadcasts", json=NEWS, headers=staff_token(app)).status_code == 201
        with app.app_context():
            run_worker(once=True)
        assert len(smtp.messages) == 3
        with app.app_context():
            [broadcast] = db.session.scalars(select(Broadcast)).all()
            progress = broadcast_progress(broadcast)
        assert (progress["status"], progress["sent"], progress["queued"]) == ("sending", 3, 2)
        # A transactional mail still goes at once while the broadcast waits for room.
        request_ebook(client, "newcomer@example.net")
        with app.app_context():
            run_worker(once=True)
        assert len(smtp.messages) == 4 and subjects_to(smtp, "newcomer@example.net")
    with time_machine.travel(start + timedelta(seconds=61), tick=False), app.app_context():
        run_worker(once=True)
    assert len(smtp.messages) == 6
    with app.app_context():
        progress = broadcast_progress(db.session.scalars(select(Broadcast)).one())
    assert (progress["status"], progress["sent"], progress["queued"], progress["recipients"]) == ("sent", 5, 0, 5)


def test_broadcast_rate_is_read_like_the_other_rates():
    assert parse_rate("600/minute") == (600, timedelta(minutes=1))
    assert parse_rate(" 10 per second ") == (10, timedelta(seconds=1))
    assert parse_rate("5000/hours") == (5000, timedelta(hours=1))
    for typo in ("600", "0/minute", "fast", "600/fortnight"):
        with pytest.raises(ValueError, match="600/minute"):
            parse_rate(typo)
