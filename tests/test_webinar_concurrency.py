"""A rush for the last seats: capacity holds with 40 registrations at once, threads and processes."""

import multiprocessing
import threading
from collections import Counter

import pytest

from leadgen import create_app

from .helpers import count
from .test_webinars import make_webinar, webinar

pytestmark = pytest.mark.slow

RUSH = 40
SEATS = 10


def register_all(app, slug: str, emails: list[str], barrier) -> list[int]:
    """POST one registration per address, each in its own thread with its own client."""
    statuses: list[int] = []
    lock = threading.Lock()

    def one(email: str) -> None:
        client = app.test_client()  # its own client, and per request its own app context and session
        barrier.wait()
        response = client.post(
            f"/api/v1/webinars/{slug}/registrations", json={"email": email, "first_name": "Rush", "consent": True}
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=one, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_forty_threads_at_once_take_exactly_ten_seats(app):
    from leadgen.webinars.models import Registration

    slug = make_webinar(app, capacity=SEATS)
    emails = [f"person{number}@example.com" for number in range(RUSH)]
    statuses = register_all(app, slug, emails, threading.Barrier(RUSH))
    assert Counter(statuses) == {202: SEATS, 409: RUSH - SEATS}
    assert webinar(app, slug).seats_taken == SEATS
    assert count(app, Registration) == SEATS
    listed = app.test_client().get("/api/v1/webinars").get_json()
    assert [item["seats_left"] for item in listed if item["slug"] == slug] == [0]


def process_worker(config: dict, slug: str, emails: list[str], barrier, results) -> None:
    """A separate process, as a gunicorn worker is: its own app, engine and connections."""
    app = create_app(config)
    for status in register_all(app, slug, emails, _ProcessAndThreadBarrier(barrier, len(emails))):
        results.put(status)


class _ProcessAndThreadBarrier:
    """Threads of a process wait for each other, then the process waits for the other processes."""

    def __init__(self, process_barrier, threads: int):
        self.local = threading.Barrier(threads, action=process_barrier.wait)

    def wait(self):
        self.local.wait()


def test_forty_registrations_from_four_processes_take_exactly_ten_seats(app, base_config):
    from leadgen.webinars.models import Registration

    slug = make_webinar(app, capacity=SEATS)
    context = multiprocessing.get_context("spawn")
    processes_count = 4
    barrier = context.Barrier(processes_count)
    results = context.Queue()
    per_process = RUSH // processes_count
    processes = [
        context.Process(
            target=process_worker,
            args=(
                dict(base_config),
                slug,
                [f"p{index}-{number}@example.com" for number in range(per_process)],
                barrier,
                results,
            ),
        )
        for index in range(processes_count)
    ]
    for process in processes:
        process.start()
    statuses = [results.get(timeout=120) for _ in range(RUSH)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert Counter(statuses) == {202: SEATS, 409: RUSH - SEATS}
    assert webinar(app, slug).seats_taken == SEATS
    assert count(app, Registration) == SEATS


def test_same_person_many_times_at_once_is_one_registration_and_one_mail(app, smtp, deliver):
    from leadgen.webinars.models import Registration

    slug = make_webinar(app, capacity=SEATS)
    statuses = register_all(app, slug, ["same@example.com"] * 8, threading.Barrier(8))
    assert Counter(statuses) == {202: 8}
    assert webinar(app, slug).seats_taken == 1 and count(app, Registration) == 1
    deliver()
    assert len(smtp.messages) == 1


def test_cancel_and_renew_at_once_move_one_seat_each(app):
    from leadgen.extensions import db
    from leadgen.webinars.cancellation import cancel_registration
    from leadgen.webinars.models import Registration

    slug = make_webinar(app, capacity=SEATS)
    client = app.test_client()
    for email in ("ana@example.com", "bo@example.com"):
        body = {"email": email, "first_name": "Rush"}
        assert client.post(f"/api/v1/webinars/{slug}/registrations", json=body).status_code == 202
    with app.app_context():
        ana_id = db.session.scalars(select_registration_ids()).first()

    results: list[bool] = []
    barrier = threading.Barrier(8)

    def cancel_once() -> None:
        with app.app_context():  # its own app context, so its own session and connection
            registration = db.session.get(Registration, ana_id)
            assert registration.status == "registered"  # every thread saw it registered...
            db.session.commit()  # ...and holds no lock while it waits (SQLite's BEGIN IMMEDIATE would)
            barrier.wait()
            results.append(cancel_registration(registration))
            db.session.remove()

    threads = [threading.Thread(target=cancel_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False] * 7 + [True]  # a double click frees one seat, not several
    assert webinar(app, slug).seats_taken == 1

    statuses = register_all(app, slug, ["ana@example.com"] * 8, threading.Barrier(8))
    assert Counter(statuses) == {202: 8}
    assert webinar(app, slug).seats_taken == 2 and count(app, Registration) == 2


def select_registration_ids():
    from sqlalchemy import select

    from leadgen.webinars.models import Registration

    return select(Registration.id).order_by(Registration.id)
