"""Postmark's and Mailgun's own webhook payloads, as their documentation shows them, at
/hooks/mail/postmark (basic auth) and /hooks/mail/mailgun (HMAC of timestamp + token)."""

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest

from .helpers import add_lead, row_counts
from .test_mail_events import lead_row

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mail_events"
POSTMARK_PASSWORD = "postmark-hook-password"
MAILGUN_KEY = "key-mailgun-signing"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def hooked(clinic):
    app = clinic(MAIL_EVENTS_POSTMARK_PASSWORD=POSTMARK_PASSWORD, MAIL_EVENTS_MAILGUN_KEY=MAILGUN_KEY)
    add_lead(app, "john@example.com", consent=True)
    add_lead(app, "alice@example.com", consent=True)
    return app


def postmark(client, payload: dict, headers: dict | None = None):
    headers = basic("postmark", POSTMARK_PASSWORD) if headers is None else headers
    return client.post("/hooks/mail/postmark", json=payload, headers=headers)


def test_postmark_hard_bounce_marks_the_address(hooked):
    response = postmark(hooked.test_client(), fixture("postmark_bounce.json"))
    assert response.status_code == 200 and response.get_json()["applied"] == 1
    lead = lead_row(hooked, "john@example.com")
    assert lead.bounced_at is not None and "mail_bounced" in lead.kinds


def test_postmark_spam_complaint_unsubscribes(hooked):
    assert postmark(hooked.test_client(), fixture("postmark_spam_complaint.json")).status_code == 200
    lead = lead_row(hooked, "john@example.com")
    assert lead.complained_at is not None and lead.unsubscribed_at is not None


def test_postmark_soft_bounce_counts_once_however_often_postmark_retries_it(hooked):
    client = hooked.test_client()
    payload = fixture("postmark_soft_bounce.json")
    assert postmark(client, payload).get_json() == {"applied": 1, "replayed": False}
    assert postmark(client, payload).get_json() == {"applied": 0, "replayed": True}
    lead = lead_row(hooked, "john@example.com")
    assert (lead.soft_bounces, lead.bounced_at) == (1, None)
    # A delivery Postmark reports resets the count: "in a row" means without one between.
    delivery = {"RecordType": "Delivery", "ID": 7, "Recipient": "john@example.com", "MessageStream": "outbound"}
    assert postmark(client, delivery).status_code == 200
    assert lead_row(hooked, "john@example.com").soft_bounces == 0


def test_postmark_records_that_say_nothing_about_the_address_change_nothing(hooked):
    payload = {**fixture("postmark_bounce.json"), "Type": "AutoResponder", "TypeCode": 64}
    assert postmark(hooked.test_client(), payload).get_json()["applied"] == 0
    assert lead_row(hooked, "john@example.com").bounced_at is None


@pytest.mark.parametrize(
    "headers",
    [{}, basic("postmark", "wrong"), basic("someone", POSTMARK_PASSWORD), {"Authorization": "Bearer x"}],
)
def test_postmark_without_the_right_basic_auth_is_refused(hooked, headers):
    with hooked.app_context():
        before = row_counts()
    assert postmark(hooked.test_client(), fixture("postmark_bounce.json"), headers).status_code == 401
    with hooked.app_context():
        assert row_counts() == before


def test_postmark_password_defaults_to_the_generic_secret(clinic):
    app = clinic(MAIL_EVENTS_POSTMARK_PASSWORD="", MAIL_EVENTS_SECRET="shared")
    add_lead(app, "john@example.com", consent=True)
    client = app.test_client()
    assert postmark(client, fixture("postmark_bounce.json"), basic("postmark", "shared")).status_code == 200
    no_password = clinic(MAIL_EVENTS_POSTMARK_PASSWORD="", MAIL_EVENTS_SECRET="").test_client()
    assert postmark(no_password, fixture("postmark_bounce.json"), basic("postmark", "")).status_code == 401


def mailgun_signed(name: str, key: str = MAILGUN_KEY, timestamp: int | None = None) -> dict:
    """The documented payload with a signature made now, as Mailgun makes it."""
    payload = fixture(name)
    signed = payload["signature"]
    signed["timestamp"] = str(int(time.time()) if timestamp is None else timestamp)
    message = (signed["timestamp"] + signed["token"]).encode()
    signed["signature"] = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    return payload


def mailgun(client, payload: dict):
    return client.post("/hooks/mail/mailgun", json=payload)


def test_mailgun_permanent_failure_bounces_and_temporary_counts(hooked):
    client = hooked.test_client()
    assert mailgun(client, mailgun_signed("mailgun_failed_temporary.json")).get_json()["applied"] == 1
    lead = lead_row(hooked, "alice@example.com")
    assert (lead.soft_bounces, lead.bounced_at) == (1, None)
    assert mailgun(client, mailgun_signed("mailgun_failed_permanent.json")).status_code == 200
    assert lead_row(hooked, "alice@example.com").bounced_at is not None


def test_mailgun_complaint_unsubscribes(hooked):
    assert mailgun(hooked.test_client(), mailgun_signed("mailgun_complained.json")).status_code == 200
    lead = lead_row(hooked, "alice@example.com")
    assert lead.complained_at is not None and lead.unsubscribed_at is not None


def test_mailgun_token_is_applied_once(hooked):
    client = hooked.test_client()
    payload = mailgun_signed("mailgun_failed_temporary.json")
    assert mailgun(client, payload).get_json() == {"applied": 1, "replayed": False}
    assert mailgun(client, payload).get_json() == {"applied": 0, "replayed": True}
    assert lead_row(hooked, "alice@example.com").soft_bounces == 1


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(lambda: fixture("mailgun_failed_permanent.json"), id="documented-example-signature"),
        pytest.param(lambda: mailgun_signed("mailgun_failed_permanent.json", key="another-key"), id="other-key"),
        pytest.param(
            lambda: mailgun_signed("mailgun_failed_permanent.json", timestamp=int(time.time()) - 600), id="stale"
        ),
        pytest.param(lambda: {"event-data": fixture("mailgun_failed_permanent.json")["event-data"]}, id="unsigned"),
    ],
)
def test_mailgun_wrong_stale_or_missing_signature_is_refused(hooked, payload):
    with hooked.app_context():
        before = row_counts()
    assert mailgun(hooked.test_client(), payload()).status_code == 401
    with hooked.app_context():
        assert row_counts() == before


def test_mailgun_signed_but_malformed_is_400(hooked):
    payload = mailgun_signed("mailgun_failed_permanent.json")
    payload["event-data"] = ["not", "an", "object"]
    response = mailgun(hooked.test_client(), payload)
    assert response.status_code == 400 and "event-data" in response.get_json()["errors"]
