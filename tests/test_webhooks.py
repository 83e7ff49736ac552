"""Webhooks for the clinic's CRM: registered by admins, queued with the event, POSTed signed by the worker.

The CRM here is a real HTTP server on 127.0.0.1, so these tests run with WEBHOOK_ALLOW_PRIVATE on;
tests/test_webhook_targets.py shows what happens with it off.
"""

import hashlib
import hmac
import json
import ssl
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from sqlalchemy import select

from leadgen.database import utcnow
from leadgen.demo import seed_ebook
from leadgen.extensions import db
from leadgen.followups.optin import confirm_lead
from leadgen.leads.service import find_lead_by_email
from leadgen.outbox.models import OutboxMessage
from leadgen.webhooks.models import Webhook
from leadgen.webhooks.service import create_webhook, emit_event

from .helpers import csrf_token_from, request_ebook, submit_form


class Receiver:
    """A real HTTP server on a free port, standing in for the CRM: records calls, answers given statuses.

    A failing answer carries ERROR_BODY (staff must never see it); a 3xx points to `location`.
    With a `tls` context it speaks HTTPS.
    """

    ERROR_BODY = b"crm is down: database password hunter2"

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.calls: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        self.location = "/elsewhere"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.location)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else receiver.ERROR_BODY)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.server_port}/hooks/leads"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def app(make_app):
    """The app with WEBHOOK_ALLOW_PRIVATE on: the stand-in CRM listens on this machine."""
    app = make_app(WEBHOOK_ALLOW_PRIVATE=True)
    with app.app_context():
        seed_ebook()
    return app


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def webhook_messages() -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook").order_by(OutboxMessage.id))
    )


def test_admin_adds_and_disables_a_webhook(app, client, auth):
    with app.app_context():
        auth.sign_in()
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert "No webhooks yet" in page
    invalid = submit_form(client, "/admin/webhooks", {"url": "crm.example/hooks", "events": []})
    assert invalid.status_code == 422
    text = invalid.get_data(as_text=True)
    assert "Enter a full http:// or https:// address" in text and "Choose at least one event" in text
    added = submit_form(
        client,
        "/admin/webhooks",
        {"url": "https://crm.example/hooks/leads", "events": ["lead.created", "lead.booked"], "description": "CRM"},
    )
    assert added.status_code == 303
    with app.app_context():
        webhook = db.session.scalars(select(Webhook)).one()
        assert (webhook.events, webhook.active, len(webhook.secret)) == (["lead.created", "lead.booked"], True, 64)
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert webhook.secret in page and "https://crm.example/hooks/leads" in page
    disabled = client.post(f"/admin/webhooks/{webhook.id}/disable", data={"csrf_token": csrf_token_from(page)})
    assert disabled.status_code == 303
    assert client.post(f"/admin/webhooks/{webhook.id}/enable").status_code == 400  # no CSRF token
    with app.app_context():
        assert db.session.get(Webhook, webhook.id).active is False


def test_only_admins_manage_webhooks(app, client, auth):
    assert client.get("/admin/webhooks").status_code == 302
    with app.app_context():
        auth.sign_in(role="marketing")
    assert client.get("/admin/webhooks").status_code == 403


def test_a_new_lead_queues_one_call_per_subscribed_active_webhook(app, client):
    with app.app_context():
        wanted = create_webhook("https://crm.example/a", ["lead.created"])
        create_webhook("https://crm.example/b", ["lead.booked"])
        off = create_webhook("https://crm.example/c", ["lead.created"])
        off.active = False
        db.session.commit()
        wanted_id = wanted.id
    request_ebook(client)
    request_ebook(client, "ANA@example.com")  # the same person again: not a new lead
    with app.app_context():
        [message] = webhook_messages()
        assert (message.recipient, message.template, message.context["webhook_id"]) == (
            "https://crm.example/a",
            "lead.created",
            wanted_id,
        )
        assert message.context["data"]["email"] == "ana@example.com"
        assert message.context["data"]["marketing_consent"] is True


def test_delivery_is_signed_and_retried_after_a_500(app, client, deliver, receiver):
    with app.app_context():
        secret = create_webhook(receiver.url, ["lead.created", "lead.confirmed"]).secret
    request_ebook(client)
    receiver.statuses = [500]
    deliver()
    with app.app_context():
        [message] = webhook_messages()
        assert message.status == "queued" and "HTTP 500" in message.last_error
        assert message.due_at > utcnow() + timedelta(seconds=50)  # the first back-off step: 1m
    deliver()
    assert len(receiver.calls) == 1, "not retried before the back-off ends"
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        deliver()
    assert len(receiver.calls) == 2
    (first_headers, first_body), (headers, body) = receiver.calls
    assert body == first_body and headers["X-Leadgen-Delivery"] == first_headers["X-Leadgen-Delivery"]
    assert headers["X-Leadgen-Event"] == "lead.created"
    assert headers["Content-Type"].startswith("application/json")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Leadgen-Signature"], expected)
    event = json.loads(body)
    assert event["event"] == "lead.created" and event["data"]["email"] == "ana@example.com"
    with app.app_context():
        assert webhook_messages()[0].status == "sent"
        confirm_lead(find_lead_by_email("ana@example.com"))
        db.session.commit()
    deliver()
    assert receiver.calls[-1][0]["X-Leadgen-Event"] == "lead.confirmed"


def test_a_webhook_that_keeps_failing_is_marked_failed_and_shown(app, client, deliver, receiver, auth):
    with app.app_context():
        create_webhook(receiver.url, ["lead.created"])
        delays = app.config["OUTBOX_RETRY_DELAYS"]
    request_ebook(client)
    receiver.statuses = [500] * 50
    moment = utcnow()
    deliver()
    for delay in delays:
        moment += delay + timedelta(seconds=1)
        with time_machine.travel(moment, tick=False):
            deliver()
    assert len(receiver.calls) == len(delays) + 1
    with app.app_context():
        [message] = webhook_messages()
        assert message.status == "failed" and "HTTP 500" in message.last_error
    auth.sign_in()
    assert "1 failed" in client.get("/admin/webhooks").get_data(as_text=True)
    assert receiver.url in client.get("/admin/").get_data(as_text=True)


def test_unreachable_or_disabled_webhooks(app, client, deliver, receiver):
    with app.app_context():
        create_webhook(receiver.url.replace(str(receiver.server.server_port), "9"), ["lead.created"])
        disabled_id = create_webhook(receiver.url, ["lead.created"]).id
    request_ebook(client)
    with app.app_context():
        db.session.get(Webhook, disabled_id).active = False
        db.session.commit()
    deliver()
    assert receiver.calls == []
    with app.app_context():
        unreachable, dropped = webhook_messages()
        assert unreachable.status == "queued" and "could not reach" in unreachable.last_error
        assert dropped.status == "cancelled"


def test_emit_event_refuses_unknown_events_and_dedupes(app):
    with app.app_context():
        create_webhook("https://crm.example/a", ["webinar.registered"])
        with pytest.raises(ValueError):
            emit_event("lead.deleted", {})
        data = {"registration_id": 7, "webinar": {"slug": "gut-health"}}
        assert emit_event("webinar.registered", data) == 1
        assert emit_event("webinar.registered", data) == 0  # the same event again (a retried request)
        db.session.commit()
        assert len(webhook_messages()) == 1
