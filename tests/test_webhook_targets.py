"""Webhooks never reach the server's own network: refused when added, and again after DNS when delivered.

WEBHOOK_ALLOW_PRIVATE is off here (the default) unless a test turns it on; the stand-in CRM is a
real HTTP server on 127.0.0.1 (tests/test_webhooks.py's Receiver).
"""

import socket
import ssl
import subprocess

import pytest
from sqlalchemy import func, select

from leadgen.extensions import db
from leadgen.outbox.worker import run_worker
from leadgen.webhooks.models import Webhook
from leadgen.webhooks.service import create_webhook, emit_event

from .helpers import StaffAuth, submit_form
from .test_webhooks import Receiver, webhook_messages

ALL_EVENTS = ["lead.created"]


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def add_webhook_on_the_page(client, url: str):
    return submit_form(client, "/admin/webhooks", {"url": url, "events": ALL_EVENTS, "description": "CRM"})


def webhook_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Webhook))


def a_lead_is_created(app) -> None:
    """The event every webhook here listens to, queued as a new lead would queue it."""
    with app.app_context():
        emit_event("lead.created", {"id": 1, "email": "ana@example.com"})
        db.session.commit()


def deliver_with(app) -> None:
    """One pass of the outbox worker with this app's settings."""
    with app.app_context():
        run_worker(once=True)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:5432/", "127.0.0.1 is a loopback address"),
        ("http://localhost:6379/", "localhost is this server itself"),
        ("http://LOCALHOST./", "is this server itself"),
        ("http://crm.localhost/hooks", "crm.localhost is this server itself"),
        ("http://2130706433/", "2130706433 (127.0.0.1) is a loopback address"),
        ("http://0x7f000001/", "0x7f000001 (127.0.0.1) is a loopback address"),
        ("http://017700000001/", "017700000001 (127.0.0.1) is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://10.0.0.8/", "10.0.0.8 is a private address"),
        ("https://172.16.5.4/", "172.16.5.4 is a private address"),
        ("http://192.168.1.10:8080/", "192.168.1.10 is a private address"),
        ("http://100.64.0.1/", "100.64.0.1 is not a public address"),
        ("http://0.0.0.0:5000/", "0.0.0.0 is an unspecified address"),
        ("http://0/", "0 (0.0.0.0) is an unspecified address"),
        ("http://224.0.0.251/", "224.0.0.251 is a multicast address"),
        ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
        ("http://[::1]:6379/", "::1 is a loopback address"),
        ("http://[::]/", ":: is an unspecified address"),
        ("http://[::ffff:7f00:1]/", "::ffff:7f00:1 is a loopback address"),
        ("http://[::ffff:a9fe:a9fe]/", "::ffff:a9fe:a9fe is a link-local address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[fd12:3456::1]/", "fd12:3456::1 is a private address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        ("http://[2002:7f00:1::]/", "2002:7f00:1:: is a loopback address"),
    ],
)
def test_the_servers_own_network_is_refused_beside_the_address_field(app, client, url, reason, auth):
    auth.sign_in()
    response = add_webhook_on_the_page(client, url)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="url-error"' in page and reason in page
    assert "Webhooks may not reach this server&#39;s own network" in page
    assert webhook_count(app) == 0


@pytest.mark.parametrize("url", ["https://crm.example:99999/hooks", "https://crm.example:0/hooks"])
def test_a_port_no_connection_can_use_is_a_field_message(app, client, url, auth):
    auth.sign_in()
    response = add_webhook_on_the_page(client, url)
    assert response.status_code == 422
    assert "Enter a port between 1 and 65535 (or none)." in response.get_data(as_text=True)
    assert webhook_count(app) == 0


def test_an_address_on_the_internet_is_accepted_even_before_its_name_resolves(app, client, auth):
    auth.sign_in()
    assert add_webhook_on_the_page(client, "https://[2606:4700::1111]/hooks").status_code == 303
    assert add_webhook_on_the_page(client, "https://crm.example/hooks/leads").status_code == 303  # no DNS yet
    assert webhook_count(app) == 2


def test_with_webhook_allow_private_a_crm_on_the_local_network_gets_the_post(make_app, receiver):
    app = make_app(WEBHOOK_ALLOW_PRIVATE=True)
    client = app.test_client()
    StaffAuth(app, client).sign_in()
    local = receiver.url.replace("127.0.0.1", "localhost")
    assert add_webhook_on_the_page(client, local).status_code == 303
    a_lead_is_created(app)
    deliver_with(app)
    [(headers, _)] = receiver.calls
    assert headers["X-Leadgen-Event"] == "lead.created"
    assert headers["Host"] == f"localhost:{receiver.server.server_port}"
    with app.app_context():
        assert [message.status for message in webhook_messages()] == ["sent"]


def test_delivery_checks_the_address_again_after_dns(make_app, receiver):
    allowed_then = make_app(WEBHOOK_ALLOW_PRIVATE=True)
    with allowed_then.app_context():
        create_webhook(receiver.url.replace("127.0.0.1", "localhost"), ALL_EVENTS)
    a_lead_is_created(allowed_then)
    refused_now = make_app()  # WEBHOOK_ALLOW_PRIVATE switched off since the webhook was added
    deliver_with(refused_now)
    assert receiver.calls == []
    with refused_now.app_context():
        [message] = webhook_messages()
        assert message.status == "failed"  # not retried: the address itself is refused
        assert "is this server itself" in message.last_error


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "2130706433", "0x7f000001", "017700000001", "0177.0.0.1", "127.1", "0x7f.1"]
)
def test_delivery_refuses_every_spelling_of_the_servers_own_address(app, receiver, host):
    with app.app_context():
        create_webhook(receiver.url.replace("127.0.0.1", host), ALL_EVENTS)  # past the form, as an old row is
    a_lead_is_created(app)
    deliver_with(app)
    assert receiver.calls == []
    with app.app_context():
        [message] = webhook_messages()
        assert message.status == "failed"
        assert "127.0.0.1" in message.last_error and "is a loopback address" in message.last_error


def test_a_name_re_pointed_after_the_check_is_not_followed(make_app, receiver, monkeypatch):
    """DNS rebinding: the name is public when checked, then 127.0.0.1; the POST goes to what was checked."""
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["192.0.0.9", "127.0.0.1"])  # 192.0.0.9/32 is globally reachable (RFC 7723)

    def rebinding_dns(host, port, *args, **kwargs):
        if host == "crm.rebind.test":
            return real_getaddrinfo(next(answers, "127.0.0.1"), port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    app = make_app(SMTP_TIMEOUT=0.5)
    with app.app_context():
        create_webhook(f"http://crm.rebind.test:{receiver.server.server_port}/hooks", ALL_EVENTS)
    a_lead_is_created(app)
    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    deliver_with(app)
    assert receiver.calls == []
    with app.app_context():
        [message] = webhook_messages()
        assert message.status == "queued" and "could not reach" in message.last_error


def test_a_redirect_is_not_followed(make_app, receiver):
    app = make_app(WEBHOOK_ALLOW_PRIVATE=True)
    with app.app_context():
        create_webhook(receiver.url, ALL_EVENTS)
    receiver.statuses = [302]
    receiver.location = receiver.url.replace("/hooks/leads", "/moved")
    a_lead_is_created(app)
    deliver_with(app)
    assert len(receiver.calls) == 1  # the redirect's target was not called
    with app.app_context():
        [message] = webhook_messages()
        assert message.status == "queued"
        assert "HTTP 302 from" in message.last_error and "redirects are not followed" in message.last_error


def test_staff_see_the_status_and_a_short_reason_never_the_answers_body(make_app, receiver):
    app = make_app(WEBHOOK_ALLOW_PRIVATE=True)
    with app.app_context():
        create_webhook(receiver.url, ALL_EVENTS)
    receiver.statuses = [410]  # the CRM removed the endpoint: failed at once, and on every staff dashboard
    a_lead_is_created(app)
    deliver_with(app)
    client = app.test_client()
    StaffAuth(app, client).sign_in(role="marketing")
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert f"HTTP 410 from {receiver.url}: Gone" in dashboard
    assert "hunter2" not in dashboard and "crm is down" not in dashboard
    with app.app_context():
        [message] = webhook_messages()
        assert "hunter2" not in message.last_error


@pytest.fixture
def https_receiver(tmp_path, monkeypatch):
    """The stand-in CRM over HTTPS with a certificate for "localhost" that this test's worker trusts."""
    key, certificate = tmp_path / "key.pem", tmp_path / "certificate.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # trusted as if a public CA had signed it
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate, key)
    with Receiver(tls) as running:
        yield running


def test_https_goes_to_the_checked_address_and_still_verifies_the_certificate_by_name(make_app, https_receiver):
    app = make_app(WEBHOOK_ALLOW_PRIVATE=True)
    by_name = https_receiver.url.replace("127.0.0.1", "localhost")
    with app.app_context():
        create_webhook(by_name, ALL_EVENTS)
        create_webhook(https_receiver.url, ALL_EVENTS)  # the certificate does not name 127.0.0.1
    a_lead_is_created(app)
    deliver_with(app)
    assert len(https_receiver.calls) == 1
    with app.app_context():
        delivered, mismatched = webhook_messages()
        assert (delivered.recipient, delivered.status) == (by_name, "sent")
        assert mismatched.status == "queued" and "certificate" in mismatched.last_error.lower()
