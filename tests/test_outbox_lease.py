"""Claims and a slow relay: no send outlives its worker's claim, so no message goes twice."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine

from leadgen.database import utcnow
from leadgen.outbox.claims import claim_due_messages
from leadgen.outbox.worker import run_worker

from .helpers import work_once
from .test_outbox import outbox, received_ids, request_ebook
from .test_outbox_workers import wait_until


def all_sent(app) -> bool:
    return {message.status for message in outbox(app)} == {"sent"}


@pytest.mark.slow
def test_two_workers_with_a_slow_relay_and_a_short_lease_deliver_each_message_once(make_app, smtp):
    # A one-second lease and a relay that takes 0.4 s to answer each message: one batch takes
    # many leases, so the idle worker's claims keep meeting the busy worker's sends.
    app = make_app(OUTBOX_LEASE=timedelta(seconds=1), SMTP_TIMEOUT=1.0, OUTBOX_POLL_INTERVAL=0.02)
    client = app.test_client()
    for number in range(15):
        request_ebook(client, f"lead{number}@example.com")
    smtp.handler.delay = 0.4
    stop = threading.Event()

    def worker():
        with app.app_context():
            run_worker(stop=stop)

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    try:
        wait_until(lambda: all_sent(app), 60, "the two workers to send 15 messages")
    finally:
        stop.set()
        for thread in workers:
            thread.join()

    assert received_ids(smtp) == Counter({message.message_id: 1 for message in outbox(app)})


def test_a_worker_whose_claim_ran_out_sends_none_of_the_rest_of_its_batch(app, client, smtp):
    """Paused past its lease (here the clock jumps while the relay answers), a worker may have
    lost the rest of its batch to another: it leaves them to the next claim."""
    for number in range(3):
        request_ebook(client, f"lead{number}@example.com")
    with time_machine.travel(utcnow(), tick=True) as traveller:

        def jump_past_the_lease_during_the_first_reply():
            if len(smtp.messages) == 1:
                traveller.shift(app.config["OUTBOX_LEASE"] + timedelta(minutes=1))

        smtp.handler.while_replying = jump_past_the_lease_during_the_first_reply
        work_once(app)  # its next claim retakes the two it left

    messages = outbox(app)
    assert [(message.status, message.attempts) for message in messages] == [("sent", 1), ("sent", 2), ("sent", 2)]
    assert received_ids(smtp) == Counter({message.message_id: 1 for message in messages})


def test_a_worker_whose_claim_was_retaken_during_a_slow_answer_leaves_the_other_workers_claim(app, client, smtp):
    """Paused past its lease while the relay answers "try again later", a worker finds its
    message retaken by another: recording its failure would put the message back in the queue
    while the other worker sends it (and the queue would send it again)."""
    request_ebook(client, "ana@example.com")
    smtp.handler.fail_every = 1  # this relay answers 451 to the first worker's message
    with time_machine.travel(utcnow(), tick=True) as traveller:

        def another_worker_retakes_it_during_the_reply():
            traveller.shift(app.config["OUTBOX_LEASE"] + timedelta(minutes=1))
            with app.app_context():
                assert claim_due_messages("other-host:1", 50)

        smtp.handler.while_replying = another_worker_retakes_it_during_the_reply
        work_once(app)

    [message] = outbox(app)
    assert (message.status, message.locked_by, message.attempts) == ("sending", "other-host:1", 2)
    assert message.last_error is None
