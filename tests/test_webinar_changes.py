"""Changing a webinar tells people: PATCH (and the console) move reminders and follow-ups and mail the
new time with an updated .ics; cancelling mails METHOD:CANCEL; staff list the registrations."""

from datetime import timedelta

import time_machine

from leadgen.extensions import db
from leadgen.webinars.models import Registration

from .helpers import staff_token
from .test_webinars import make_webinar, outbox, parse_single_event, register, webinar


def calendar_of(mail):
    [attachment] = [part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"]
    return attachment.get_content().encode()


def test_moving_a_webinar_mails_the_new_ics_and_its_after_mail_never_comes_before_the_new_end(
    app, client, smtp, deliver
):
    slug = make_webinar(app, starts_in=timedelta(days=7))
    register(client, slug, email="ana@example.com", consent="y")
    deliver()
    [confirmation] = smtp.messages
    first = parse_single_event(calendar_of(confirmation))
    old = webinar(app, slug)
    new_start = old.starts_at + timedelta(days=3)

    headers = staff_token(app, role="marketing")
    response = client.patch(f"/api/v1/webinars/{slug}", json={"starts_at": new_start.isoformat()}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["revision"] == 1
    moved = webinar(app, slug)
    assert moved.starts_at == new_start

    deliver()
    [notice] = smtp.messages[1:]
    assert notice["Subject"] == "New time: Gut health and autoimmunity"
    event = parse_single_event(calendar_of(notice))
    assert event["uid"] == first["uid"]
    assert int(event["sequence"]) == int(first["sequence"]) + 1
    assert event.decoded("dtstart") == new_start and event.decoded("dtend") == moved.ends_at
    assert "/webinars/join/" in str(event["url"])

    reminders = outbox(app, template="webinar_reminder")
    assert [message.due_at for message in reminders] == [
        new_start - timedelta(hours=24),
        new_start - timedelta(hours=1),
    ]
    followups = [message for message in outbox(app) if message.template.startswith("followup_webinar")]
    assert len(followups) == 2 and all(message.due_at >= moved.ends_at for message in followups)

    # Where the old "after the webinar" mail was due (two days after the old end), nothing goes.
    with time_machine.travel(old.ends_at + timedelta(days=2, hours=20), tick=False):
        deliver()
    # Only the 24h reminder of the new time has come by then.
    assert [mail["Subject"] for mail in smtp.messages][2:] == ["Starting tomorrow: Gut health and autoimmunity"]


def test_cancelling_through_patch_mails_a_method_cancel_ics(app, client, smtp, deliver):
    slug = make_webinar(app)
    register(client, slug)
    deliver()
    first = parse_single_event(calendar_of(smtp.messages[0]))
    response = client.patch(f"/api/v1/webinars/{slug}", json={"status": "cancelled"}, headers=staff_token(app))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    deliver()
    [notice] = smtp.messages[1:]
    assert notice["Subject"].startswith("Cancelled: ")
    data = calendar_of(notice)
    assert b"METHOD:CANCEL" in data
    event = parse_single_event(data)
    assert str(event["status"]) == "CANCELLED" and event["uid"] == first["uid"]
    assert int(event["sequence"]) == int(first["sequence"]) + 1
    assert outbox(app, template="webinar_reminder", status="queued") == []

    again = client.patch(
        f"/api/v1/webinars/{slug}", json={"capacity": 50}, headers=staff_token(app, "b@clinic.example")
    )
    assert again.status_code == 409


def test_patch_refuses_bad_changes_with_field_messages_and_changes_nothing(app, client):
    slug = make_webinar(app, capacity=3)
    register(client, slug, email="ana@example.com")
    register(client, slug, email="bo@example.com")
    headers = staff_token(app)
    before = webinar(app, slug)

    def patch(body, target=slug, with_headers=headers):
        return client.patch(f"/api/v1/webinars/{target}", json=body, headers=with_headers)

    fewer = patch({"capacity": 1})
    assert fewer.status_code == 422 and "2 people are registered" in fewer.get_json()["errors"]["capacity"][0]
    past = patch({"starts_at": "2020-01-01T10:00:00Z"})
    assert past.status_code == 422 and "future" in past.get_json()["errors"]["starts_at"][0]
    status = patch({"status": "done"})
    assert status.status_code == 422 and "cancelled" in status.get_json()["errors"]["status"][0]
    both = patch({"status": "cancelled", "capacity": 5})
    assert both.status_code == 422 and "status" in both.get_json()["errors"]
    assert patch({"title": "New"}).status_code == 422
    assert patch({"capacity": 5}, target="no-such-webinar").status_code == 404
    assert patch({"capacity": 5}, with_headers={}).status_code == 401
    after = webinar(app, slug)
    assert (after.capacity, after.starts_at, after.revision, after.status) == (
        before.capacity,
        before.starts_at,
        0,
        "scheduled",
    )
    assert patch({"capacity": 5, "replay_url": "https://video.example/r"}).get_json()["capacity"] == 5


def test_registrations_api_lists_each_registration_with_status_and_attendance(app, client):
    slug = make_webinar(app)
    register(client, slug, email="ana@example.com")
    register(client, slug, email="bo@example.com")
    with app.app_context():
        first = db.session.query(Registration).order_by(Registration.id).first()
        first.attended_at = first.created_at
        db.session.commit()
    headers = staff_token(app, role="marketing")
    response = client.get(f"/api/v1/webinars/{slug}/registrations", headers=headers)
    assert response.status_code == 200
    rows = response.get_json()
    assert [(row["email"], row["status"], row["attended"]) for row in rows] == [
        ("ana@example.com", "registered", True),
        ("bo@example.com", "registered", False),
    ]
    assert all(isinstance(row["lead_id"], int) for row in rows)
    assert client.get(f"/api/v1/webinars/{slug}/registrations").status_code == 401
    assert client.get("/api/v1/webinars/nope/registrations", headers=headers).status_code == 404
