"""GET /metrics: closed without the token, and the numbers an operator watches move as leads
arrive and the outbox drains, in one process and summed across gunicorn workers and the worker."""

from datetime import timedelta

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from leadgen.demo import seed_ebook
from leadgen.extensions import db
from leadgen.outbox.models import OutboxMessage
from leadgen.webhooks.service import create_webhook

from .mailserver import free_port
from .test_webinars import form_token, make_webinar, post_registration, register

TOKEN = "metrics-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CAPTURE_URL = "/api/v1/ebook-requests"


@pytest.fixture
def app(make_app):
    """The app with /metrics switched on."""
    app = make_app(METRICS_TOKEN=TOKEN)
    with app.app_context():
        seed_ebook()
    return app


def parse(text: str) -> dict:
    """{(sample name, labels): value} of a Prometheus text exposition."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client) -> dict:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return parse(response.get_data(as_text=True))


def value(samples: dict, name: str, **labels) -> float:
    """A sample's value; 0 for a labelled counter that has not been counted yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def timed(samples: dict, method: str, route: str) -> float:
    """How many requests to `route` the latency histogram has counted, whatever their status."""
    return sum(
        count
        for (name, labels), count in samples.items()
        if name == "leadgen_http_request_duration_seconds_count" and {("method", method), ("route", route)} <= labels
    )


def capture(client, email: str):
    response = client.post(CAPTURE_URL, json={"email": email, "first_name": "Ana", "consent": True})
    assert response.status_code < 300, response.get_data(as_text=True)


def test_metrics_are_not_there_while_metrics_token_is_unset(make_app):
    client = make_app(METRICS_TOKEN="").test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
    ],
    ids=["none", "wrong", "longer", "basic", "empty"],
)
def test_metrics_without_the_right_bearer_token_is_401(client, headers):
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "leadgen_" not in response.get_data(as_text=True)


def test_metrics_with_the_token_lists_what_an_operator_watches(client):
    client.get("/healthz")  # a request the latency histogram has counted by the time we scrape
    samples = scrape(client)
    names = {name for name, _labels in samples}
    for status in ("queued", "sending", "failed"):
        for category in ("transactional", "marketing"):
            assert value(samples, "leadgen_outbox_messages", status=status, category=category) == 0
    assert value(samples, "leadgen_outbox_oldest_due_age_seconds") == 0
    assert value(samples, "leadgen_database_up") == 1
    assert "leadgen_webhook_failures_total" in names
    assert timed(samples, "GET", "/healthz") >= 1


def test_a_capture_then_a_drain_move_the_numbers(app, client, smtp, deliver):
    before = scrape(client)
    capture(client, "ana@example.com")
    after_capture = scrape(client)
    assert value(after_capture, "leadgen_leads_captured_total", source="ebook") == (
        value(before, "leadgen_leads_captured_total", source="ebook") + 1
    )
    assert value(after_capture, "leadgen_outbox_messages", status="queued", category="transactional") == 1
    assert timed(after_capture, "POST", CAPTURE_URL) == timed(before, "POST", CAPTURE_URL) + 1
    assert not any("@" in str(labels) for _name, labels in after_capture)

    # Nobody drains for 20 minutes after the message came due: it has waited that long.
    with app.app_context():
        due_at = db.session.scalar(select(OutboxMessage.due_at))
    with time_machine.travel(due_at + timedelta(minutes=20), tick=False):
        waited = value(scrape(client), "leadgen_outbox_oldest_due_age_seconds")
        assert waited == 20 * 60
        deliver()
        drained = scrape(client)
    assert len(smtp.messages) == 1
    sent = ("leadgen_outbox_sent_total", {"kind": "email", "category": "transactional"})
    assert value(drained, sent[0], **sent[1]) == value(before, sent[0], **sent[1]) + 1
    assert value(drained, "leadgen_outbox_messages", status="queued", category="transactional") == 0
    assert value(drained, "leadgen_outbox_oldest_due_age_seconds") == 0


def test_a_refused_send_and_a_failed_webhook_are_counted(app, client, smtp, deliver):
    with app.app_context():
        # Stored as the service has it; delivery refuses it (loopback), as it would a dead CRM.
        create_webhook(f"http://127.0.0.1:{free_port()}/crm", ["lead.created"])
    before = scrape(client)
    smtp.handler.fail_every = 1  # the relay answers 451 to every message
    capture(client, "ana@example.com")
    deliver()
    after = scrape(client)
    retried = {"kind": "email", "category": "transactional", "outcome": "retry"}
    assert (
        value(after, "leadgen_outbox_failed_total", **retried)
        == value(before, "leadgen_outbox_failed_total", **retried) + 1
    )
    assert value(after, "leadgen_webhook_failures_total") == value(before, "leadgen_webhook_failures_total") + 1
    assert value(after, "leadgen_outbox_messages", status="queued", category="transactional") == 1  # to retry


def test_a_registration_refused_for_a_full_webinar_is_not_counted_as_a_capture(app, client):
    slug = make_webinar(app, capacity=1)
    before = value(scrape(client), "leadgen_leads_captured_total", source="webinar")
    late_form = form_token(client, slug)  # Bo opens the form while a seat is left...
    assert register(client, slug, consent="y").status_code == 303  # ...Ana takes it
    assert post_registration(client, slug, late_form, email="bo@example.com", first_name="Bo").status_code == 409
    assert value(scrape(client), "leadgen_leads_captured_total", source="webinar") == before + 1


def test_a_scrape_while_the_database_is_down_answers_and_says_so(app, make_app):
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/leadgen?connect_timeout=2"
    client = make_app(METRICS_TOKEN=TOKEN, SQLALCHEMY_DATABASE_URI=closed).test_client()
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    samples = parse(response.get_data(as_text=True))
    assert value(samples, "leadgen_database_up") == 0
    assert not any(name == "leadgen_outbox_messages" for name, _ in samples)
