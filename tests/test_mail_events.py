"""POST /hooks/mail/generic: our HMAC-signed bounce and complaint reports, end to end.

A complaint unsubscribes and stops marketing at once (nothing reaches the real SMTP server);
a hard bounce, or three soft ones in a row, mark the address bounced; unsigned or wrongly
signed calls change nothing; unknown addresses are answered 200 and leave nothing behind.
"""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.leads.models import Activity, Lead
from leadgen.mailevents.generic import signature
from leadgen.mailevents.models import MailEvent
from leadgen.privacy.erasure import erase_lead

from .helpers import add_lead, request_ebook, row_counts
from .test_followups import MONDAY_10AM_CST, at, deliver_at, followup_rows, update_lead

SECRET = "generic-hook-secret"
URL = "/hooks/mail/generic"


def post_signed(client, payload, secret: str = SECRET, **headers):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signed = {"X-Leadgen-Signature": signature(secret, body), **headers}
    return client.post(URL, data=body, content_type="application/json", headers=signed)


def lead_row(app, email: str = "ana@example.com") -> Lead:
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.email == email)).one()
        kinds = [activity.kind for activity in lead.activities]
        db.session.expunge(lead)
        lead.kinds = kinds
        return lead


@pytest.fixture
def hooked(clinic):
    return clinic(MAIL_EVENTS_SECRET=SECRET)


def test_a_signed_complaint_stops_marketing_at_once(hooked, smtp, auth):
    app = hooked
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)  # the ebook itself
    assert len(smtp.messages) == 1
    assert [row.status for row in followup_rows(app)] == ["queued", "queued"]

    with at(MONDAY_10AM_CST + timedelta(hours=1)):
        response = post_signed(app.test_client(), {"type": "complaint", "email": "Ana@Example.com"})
    assert response.status_code == 200
    assert response.get_json() == {"applied": 1, "replayed": False}

    lead = lead_row(app)
    assert lead.complained_at is not None and lead.unsubscribed_at is not None
    assert lead.bounced_at is None
    assert {"mail_complained", "unsubscribed"} <= set(lead.kinds)
    assert [row.status for row in followup_rows(app)] == ["cancelled", "cancelled"]
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert len(smtp.messages) == 1  # no marketing arrived

    auth.sign_in()
    page = auth.client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Marked our mail as spam" in page and "marked our mail as spam" in page


def test_the_stop_rule_names_a_complaint_at_send_time(hooked, smtp):
    app = hooked
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)
    update_lead(app, complained_at=MONDAY_10AM_CST + timedelta(days=1))  # another process set it
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert len(smtp.messages) == 1
    assert [(row.status, row.last_error) for row in followup_rows(app)] == [("cancelled", "complained")] * 2


def test_a_hard_bounce_marks_the_address_and_cancels_marketing(hooked, smtp):
    app = hooked
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)
    response = post_signed(app.test_client(), {"type": "bounce", "email": "ana@example.com"})
    assert response.status_code == 200
    lead = lead_row(app)
    assert lead.bounced_at is not None and lead.unsubscribed_at is None
    assert "mail_bounced" in lead.kinds
    assert [row.status for row in followup_rows(app)] == ["cancelled", "cancelled"]
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert len(smtp.messages) == 1


def test_three_soft_bounces_in_a_row_mark_the_address_bounced(hooked):
    add_lead(hooked, "ana@example.com", consent=True)
    client = hooked.test_client()
    soft = {"type": "bounce", "email": "ana@example.com", "permanent": False}
    for expected in (1, 2):
        assert post_signed(client, soft).status_code == 200
        lead = lead_row(hooked)
        assert (lead.soft_bounces, lead.bounced_at) == (expected, None)
    post_signed(client, soft)
    lead = lead_row(hooked)
    assert lead.soft_bounces == 3 and lead.bounced_at is not None
    assert lead.kinds.count("mail_soft_bounced") == 2 and lead.kinds.count("mail_bounced") == 1


@pytest.mark.parametrize(
    ("secret", "headers"),
    [
        ("wrong-secret", {}),
        (SECRET, {"X-Leadgen-Signature": "sha256=00"}),
        (SECRET, {"X-Leadgen-Signature": ""}),
    ],
)
def test_unsigned_or_wrongly_signed_calls_are_refused_and_change_nothing(hooked, secret, headers):
    add_lead(hooked, "ana@example.com", consent=True)
    with hooked.app_context():
        before = row_counts()
    response = post_signed(hooked.test_client(), {"type": "complaint", "email": "ana@example.com"}, secret, **headers)
    assert response.status_code == 401
    with hooked.app_context():
        assert row_counts() == before
    assert lead_row(hooked).complained_at is None


def test_without_a_secret_the_generic_hook_refuses_everything(clinic):
    app = clinic(MAIL_EVENTS_SECRET="")
    add_lead(app, "ana@example.com", consent=True)
    body = json.dumps({"type": "complaint", "email": "ana@example.com"}).encode()
    for header in (signature("", body), ""):
        response = app.test_client().post(
            URL, data=body, content_type="application/json", headers={"X-Leadgen-Signature": header}
        )
        assert response.status_code == 401
    assert lead_row(app).complained_at is None


def test_an_unknown_address_is_answered_200_and_nothing_is_stored(hooked):
    add_lead(hooked, "ana@example.com", consent=True)
    with hooked.app_context():
        before = row_counts()
    response = post_signed(hooked.test_client(), {"type": "complaint", "email": "nobody@example.com"})
    assert response.status_code == 200 and response.get_json()["applied"] == 0
    with hooked.app_context():
        assert row_counts() == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b'"\\ud800"', 400),
        (json.dumps({"type": "bounce"}).encode(), 422),
        (json.dumps({"type": "delivered", "email": "ana@example.com"}).encode(), 422),
        (json.dumps({"type": "bounce", "email": "not an address"}).encode(), 422),
        (json.dumps({"type": "bounce", "email": "ana@example.com", "permanent": "perhaps"}).encode(), 422),
        (b"[" * 5000, 400),
    ],
)
def test_malformed_signed_bodies_get_400_or_422_never_500(hooked, body, status):
    add_lead(hooked, "ana@example.com", consent=True)
    response = post_signed(hooked.test_client(), body)
    assert response.status_code == status
    assert "errors" in response.get_json()
    assert lead_row(hooked).bounced_at is None


def test_an_unknown_provider_is_404(hooked):
    assert hooked.test_client().post("/hooks/mail/sendgrid", data=b"{}").status_code == 404


def test_each_event_is_kept_by_lead_and_kind_without_the_address(hooked):
    lead_id = add_lead(hooked, "ana@example.com", consent=True)
    post_signed(hooked.test_client(), {"type": "bounce", "email": "ana@example.com"})
    with hooked.app_context():
        [event] = db.session.scalars(select(MailEvent)).all()
        assert (event.provider, event.kind, event.lead_id) == ("generic", "bounce", lead_id)
        activity = db.session.scalars(select(Activity).where(Activity.kind == "mail_bounced")).one()
        assert activity.detail == {"provider": "generic"}


def test_the_hook_has_its_own_per_ip_limit(clinic):
    app = clinic(MAIL_EVENTS_SECRET=SECRET, RATELIMIT_ENABLED=True, MAIL_EVENTS_LIMIT="2/minute")
    client = app.test_client()
    statuses = [post_signed(client, {"type": "bounce", "email": "x@example.com"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_erasing_the_lead_keeps_its_events_for_the_rates_without_naming_it(hooked):
    lead_id = add_lead(hooked, "ana@example.com", consent=True)
    post_signed(hooked.test_client(), {"type": "complaint", "email": "ana@example.com"})
    with hooked.app_context():
        assert erase_lead(lead_id, erased_by="admin@clinic.example")
        [event] = db.session.scalars(select(MailEvent)).all()
        assert (event.kind, event.lead_id) == ("complaint", None)
