"""Broadcasts through the API and the worker, with the real SMTP server: the audience gets it once,
the rest are skipped, a second send queues nothing, cancel stops the rest, bad input changes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from leadgen.broadcasts import service
from leadgen.broadcasts.audience import audience_conditions
from leadgen.broadcasts.models import Broadcast, BroadcastRecipient
from leadgen.broadcasts.recipients import queue_due_recipients
from leadgen.database import utcnow
from leadgen.extensions import db
from leadgen.followups.stops import marketing_stop_reason
from leadgen.leads.models import Lead
from leadgen.leads.tags import add_tag
from leadgen.outbox.models import BROADCAST_PRIORITY, OutboxMessage
from leadgen.outbox.service import purge_sent

from .helpers import add_lead, count, html_part, row_counts, staff_token, text_part

NEWS = {
    "subject": "News for {first_name}",
    "body": "Hello **{first_name}**,\n\nOur new webinar is on. Call {office_phone}.",
}


def broadcast_mail(smtp) -> list:
    """What arrived from broadcasts (their subject starts "News")."""
    return [message for message in smtp.messages if str(message["Subject"]).startswith("News")]


def post_broadcast(client, headers, **body):
    return client.post("/api/v1/broadcasts", json={**NEWS, **body}, headers=headers)


@pytest.fixture
def marketing(app) -> dict:
    """A marketing staff member's token (marketing may send broadcasts, as admins may)."""
    return staff_token(app, role="marketing")


@pytest.fixture
def audience(app) -> dict:
    """One lead in the ebook audience who may get marketing mail, and one of each kind who may not."""
    leads = {
        "ana": add_lead(app, "ana@example.com", first_name="Ana", consent=True),
        "unsubscribed": add_lead(app, "uns@example.com", consent=True, unsubscribed_at=utcnow()),
        "bounced": add_lead(app, "bounced@example.com", consent=True, bounced_at=utcnow()),
        "unconsented": add_lead(app, "no@example.com", consent=False),
        "booked": add_lead(app, "booked@example.com", consent=True, status="booked"),
        "webinar": add_lead(app, "web@example.com", source="webinar", consent=True),
    }
    return leads


def test_the_broadcast_reaches_exactly_the_audience_once_as_marketing_mail(
    app, client, smtp, deliver, marketing, audience
):
    answer = post_broadcast(client, marketing, audience={"source": "ebook"})
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()
    assert created["recipients"] == 1 and set(created) == {"id", "recipients"}

    deliver()
    deliver()
    received = broadcast_mail(smtp)
    assert [message["To"] for message in received] == ["Ana <ana@example.com>"]
    mail = received[0]
    assert mail["Subject"] == "News for Ana"
    assert "<strong>Ana</strong>" in html_part(mail) and "+1 312 555 0142" in text_part(mail)
    # Marketing mail: one-click unsubscribe headers and the CAN-SPAM footer with the same link.
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert "/unsubscribe/" in unsubscribe and unsubscribe in text_part(mail)
    assert app.config["CLINIC_ADDRESS"] in text_part(mail)

    progress = client.get(f"/api/v1/broadcasts/{created['id']}", headers=marketing).get_json()
    assert progress == {
        "id": created["id"],
        "status": "sent",
        "recipients": 1,
        "sent": 1,
        "skipped": 0,
        "failed": 0,
        "queued": 0,
    }


def test_every_stop_rule_is_asked_again_when_the_mail_goes(app, client, smtp, deliver, marketing):
    add_lead(app, "ana@example.com", consent=True)
    later = add_lead(app, "ben@example.com", consent=True)
    booked = add_lead(app, "cy@example.com", consent=True)
    created = post_broadcast(client, marketing).get_json()
    assert created["recipients"] == 3
    with app.app_context():
        db.session.get(Lead, later).unsubscribed_at = utcnow()
        db.session.get(Lead, booked).status = "booked"
        db.session.commit()
    deliver()
    assert [message["To"] for message in broadcast_mail(smtp)] == ["Ana <ana@example.com>"]
    progress = client.get(f"/api/v1/broadcasts/{created['id']}", headers=marketing).get_json()
    assert (progress["sent"], progress["skipped"], progress["failed"], progress["status"]) == (1, 2, 0, "sent")


def test_a_second_send_of_the_same_broadcast_queues_nothing(app, client, deliver, marketing, audience):
    created = post_broadcast(client, marketing, audience={"source": "ebook"}).get_json()
    with app.app_context():
        broadcast = db.session.get(Broadcast, created["id"])
        assert service.queue_again(broadcast) == 0  # still a waiting recipient
    deliver()
    with app.app_context():
        broadcast = db.session.get(Broadcast, created["id"])
        assert service.queue_again(broadcast) == 0  # its mail is in the outbox now
        assert count(app, OutboxMessage, OutboxMessage.broadcast_id == created["id"]) == 1
    # Someone who joins the audience later gets it when staff send it again; nobody twice.
    add_lead(app, "dee@example.com", consent=True)
    with app.app_context():
        broadcast = db.session.get(Broadcast, created["id"])
        assert service.queue_again(broadcast) == 1
        assert service.queue_again(broadcast) == 0
        assert broadcast.recipients == 2
    deliver()
    keys = count(app, OutboxMessage, OutboxMessage.dedupe_key.startswith(f"broadcast:{created['id']}:lead:"))
    assert keys == 2 and count(app, BroadcastRecipient) == 0


def test_cancel_stops_what_has_not_gone(app, client, smtp, deliver, marketing):
    for name in ("ana", "ben", "cy"):
        add_lead(app, f"{name}@example.com", consent=True)
    created = post_broadcast(client, marketing).get_json()
    with app.app_context():
        assert service.cancel_broadcast(db.session.get(Broadcast, created["id"])) == 3
    deliver()
    assert broadcast_mail(smtp) == []
    # Cancelled before the worker turned them into mail: nothing of it ever reached the outbox.
    assert count(app, OutboxMessage) == 0 and count(app, BroadcastRecipient) == 0
    progress = client.get(f"/api/v1/broadcasts/{created['id']}", headers=marketing).get_json()
    assert (progress["status"], progress["skipped"], progress["sent"], progress["queued"]) == ("cancelled", 3, 0, 0)


def test_a_broadcast_at_a_later_time_waits_for_it(app, client, smtp, deliver, marketing):
    add_lead(app, "ana@example.com", consent=True)
    send_at = (utcnow() + timedelta(hours=2)).isoformat()
    created = post_broadcast(client, marketing, send_at=send_at).get_json()
    deliver()
    assert broadcast_mail(smtp) == []
    # Its recipient waits; no mail is made before the time.
    assert count(app, OutboxMessage) == 0 and count(app, BroadcastRecipient) == 1
    progress = client.get(f"/api/v1/broadcasts/{created['id']}", headers=marketing).get_json()
    assert (progress["status"], progress["queued"]) == ("scheduled", 1)


def test_each_mail_has_its_own_message_id_and_the_broadcast_priority(app, client, deliver, marketing):
    for name in ("ana", "ben"):
        add_lead(app, f"{name}@example.com", consent=True)
    post_broadcast(client, marketing)
    with app.app_context():
        queue_due_recipients()
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.broadcast_id.is_not(None))).all()
        assert len({row.message_id for row in rows}) == 2
        assert all(row.message_id.startswith("<b") and row.message_id.endswith("@clinic.example>") for row in rows)
        assert {(row.category, row.priority, row.template) for row in rows} == {
            ("marketing", BROADCAST_PRIORITY, "broadcast")
        }


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"body": "Hi {frist_name}"}, "body", "There is no placeholder {frist_name}"),
        ({"subject": "For {nickname}"}, "subject", "There is no placeholder {nickname}"),
        ({"body": "   "}, "body", "Write the message."),
        ({"send_at": "2020-01-01T10:00:00Z"}, "send_at", "Choose a time in the future"),
        ({"audience": {"source": "ebook", "since": "2099-01-01"}}, "audience", "Nobody in this audience"),
        ({"audience": {"source": "nowhere"}}, "audience", "Choose one of"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(app, client, marketing, body, field, message):
    add_lead(app, "ana@example.com", consent=True)
    with app.app_context():
        before = row_counts()
    answer = post_broadcast(client, marketing, **body)
    assert answer.status_code == 422, answer.get_json()
    assert message in str(answer.get_json()["errors"][field])
    with app.app_context():
        assert row_counts() == before


def test_an_audience_nobody_may_receive_says_so(app, client, marketing, audience):
    answer = post_broadcast(client, marketing, audience={"source": "comment"})
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"audience": ["Nobody in this audience may receive marketing mail."]}
    assert count(app, Broadcast) == 0


def test_the_audience_by_tag_reaches_only_the_tagged_leads(app, client, smtp, deliver, marketing, audience):
    with app.app_context():
        add_tag(audience["webinar"], "webinar-fans")
        add_tag(audience["unsubscribed"], "webinar-fans")
    answer = post_broadcast(client, marketing, audience={"tag": "webinar-fans"})
    assert answer.status_code == 201 and answer.get_json()["recipients"] == 1
    deliver()
    assert [message["To"] for message in broadcast_mail(smtp)] == ["Ana <web@example.com>"]


def test_staff_only(app, client):
    assert client.post("/api/v1/broadcasts", json=NEWS).status_code == 401
    assert client.get("/api/v1/broadcasts/1").status_code == 401
    admin = staff_token(app, role="admin")
    assert client.get("/api/v1/broadcasts/99", headers=admin).status_code == 404


@pytest.mark.parametrize("double_opt_in", [False, True])
def test_the_audience_query_agrees_with_the_stop_rule(clinic, double_opt_in):
    app = clinic(DOUBLE_OPT_IN=double_opt_in)
    now = utcnow()
    states = [
        {},
        {"marketing_consent": False},
        {"unsubscribed_at": now},
        {"bounced_at": now},
        {"complained_at": now},
        {"status": "contacted"},
        {"status": "booked"},
        {"confirmed_at": now},
        {"confirmed_at": now, "status": "booked"},
        {"confirmed_at": now, "unsubscribed_at": now},
    ]
    for number, state in enumerate(states):
        add_lead(app, f"lead{number}@example.com", consent=True, **state)
    with app.app_context():
        leads = db.session.scalars(select(Lead)).all()
        allowed = {lead.id for lead in leads if marketing_stop_reason(lead, followup=True) is None}
        chosen = set(db.session.scalars(select(Lead.id).where(*audience_conditions({}))))
        assert chosen == allowed and allowed


def test_erasing_a_lead_removes_them_from_a_broadcast_still_to_go(app, client, smtp, deliver, marketing):
    ana = add_lead(app, "ana@example.com", consent=True)
    add_lead(app, "ben@example.com", first_name="Ben", consent=True)
    created = post_broadcast(client, marketing).get_json()
    assert created["recipients"] == 2
    admin = staff_token(app, role="admin")
    assert client.delete(f"/api/v1/leads/{ana}", headers=admin).status_code == 204
    assert count(app, BroadcastRecipient, BroadcastRecipient.lead_id == ana) == 0
    deliver()
    assert [message["To"] for message in broadcast_mail(smtp)] == ["Ben <ben@example.com>"]


def test_mail_outbox_purge_deleted_is_not_queued_again(app, client, deliver, marketing):
    add_lead(app, "ana@example.com", consent=True)
    created = post_broadcast(client, marketing).get_json()
    deliver()
    with app.app_context():
        assert sum(purge_sent(utcnow() + timedelta(minutes=1))) == 1
        assert service.queue_again(db.session.get(Broadcast, created["id"])) == 0
    assert count(app, BroadcastRecipient) == 0 and count(app, OutboxMessage) == 0
