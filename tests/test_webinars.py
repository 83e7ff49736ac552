"""Webinars for visitors: the list, registering, the confirmation and its .ics, reminders, cancelling."""

import re
from datetime import UTC, datetime, timedelta

import icalendar
import time_machine
from sqlalchemy import select

from leadgen.database import utcnow
from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage
from leadgen.webinars.models import Registration, Webinar
from leadgen.webinars.service import cancel_webinar, create_webinar

from .helpers import count, csrf_token_from, html_part, links_in, submit_form, text_part

JOIN_URL = "https://meet.example/lakeside-gut-health"
# Each registrant's mail carries their own join link, which leads to JOIN_URL in its time.
OWN_JOIN_LINK = "http://leadgen.test/webinars/join/"


def make_webinar(app, starts_in=timedelta(days=7), capacity=10, **values) -> str:
    """Schedule a webinar through the service; returns its slug."""
    data = {
        "title": "Gut health and autoimmunity",
        "description": "How the gut talks to the immune system.\n\nLive questions at the end.",
        "presenter": "Dr Maria Chen",
        "starts_at": (utcnow() + starts_in).replace(microsecond=0),
        "duration_minutes": 60,
        "capacity": capacity,
        "join_url": JOIN_URL,
        **values,
    }
    with app.app_context():
        return create_webinar(data).slug


def webinar(app, slug: str) -> Webinar:
    with app.app_context():
        found = db.session.scalars(select(Webinar).where(Webinar.slug == slug)).one()
        db.session.expunge(found)
        return found


def register(client, slug, email="ana@example.com", first_name="Ana", **extra):
    return submit_form(
        client,
        f"/webinars/{slug}",
        {"first_name": first_name, "email": email, **extra},
        action=f"/webinars/{slug}/register",
    )


def form_token(client, slug) -> str:
    """The CSRF token of the webinar's form, as a visitor has it before registration closes."""
    return csrf_token_from(client.get(f"/webinars/{slug}").get_data(as_text=True))


def post_registration(client, slug, token, email="ana@example.com", first_name="Ana"):
    """Send the form loaded earlier (the page may no longer show it)."""
    data = {"csrf_token": token, "first_name": first_name, "email": email}
    return client.post(f"/webinars/{slug}/register", data=data)


def outbox(app, **filters) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).filter_by(**filters).order_by(OutboxMessage.due_at, OutboxMessage.id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def parse_single_event(data: bytes):
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def test_list_shows_clinic_time_with_offset_seats_and_states(app, client):
    slug = make_webinar(app, starts_at=datetime(2030, 1, 15, 0, 30, tzinfo=UTC), title="Thyroid and you")
    make_webinar(app, title="A full one", capacity=1)
    with app.app_context():
        db.session.execute(Webinar.__table__.update().where(Webinar.title == "A full one").values(seats_taken=1))
        db.session.commit()
    page = client.get("/webinars").get_data(as_text=True)
    # 00:30 UTC on the 15th is 6:30 PM the evening before in Chicago (CST, UTC-06:00).
    assert "Monday 14 January 2030, 6:30 PM CST (UTC-06:00)" in page
    assert 'datetime="2030-01-15T00:30:00+00:00"' in page
    assert "10 seats left" in page and "Full" in page
    assert f"/webinars/{slug}" in page
    assert "webinars.js" in page and "//" not in page.split("webinars.js")[0].rsplit('src="', 1)[1]


def test_empty_list_says_what_to_do_instead(app, client):
    page = client.get("/webinars").get_data(as_text=True)
    assert "No webinars are scheduled right now" in page and "tel:" in page


def test_visitor_registers_and_gets_the_confirmation_with_ics(app, client, smtp, deliver):
    slug = make_webinar(app)
    response = register(client, slug, email=" Ana@Example.com", consent="y")
    assert response.status_code == 303
    assert response.location.endswith(f"/webinars/{slug}/thanks")
    thanks = client.get(response.location).get_data(as_text=True)
    assert "What happens next" in thanks and f"/webinars/{slug}/calendar.ics" in thanks
    assert "Add to calendar" in thanks and "a day before and an hour before the start" in thanks
    assert "9 seats left" in client.get(f"/webinars/{slug}").get_data(as_text=True)

    assert smtp.messages == []  # nothing is sent inside the request
    deliver()
    [mail] = smtp.messages
    assert mail["To"].addresses[0].addr_spec == "ana@example.com"
    assert mail["Subject"] == "You are registered: Gut health and autoimmunity"
    assert OWN_JOIN_LINK in text_part(mail) and "(registered for a webinar)" in " ".join(text_part(mail).split())
    assert (
        OWN_JOIN_LINK in html_part(mail)
        and JOIN_URL not in text_part(mail)
        and app.config["CLINIC_ADDRESS"] in text_part(mail)
    )
    [cancel_link] = [link for link in links_in(mail) if "/webinars/cancel/" in link]
    assert cancel_link.startswith("http://leadgen.test/webinars/cancel/")

    [attachment] = [part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert attachment.get_filename() == f"{slug}.ics"
    event = parse_single_event(attachment.get_content().encode())
    scheduled = webinar(app, slug)
    assert event.decoded("dtstart") == scheduled.starts_at
    assert event.decoded("dtend") == scheduled.starts_at + timedelta(minutes=60)
    assert event["dtstart"].to_ical().endswith(b"Z")  # UTC, no floating or local times
    assert str(event["url"]).startswith(OWN_JOIN_LINK) and OWN_JOIN_LINK in str(event["description"])
    assert str(event["uid"]) == f"webinar-{scheduled.id}@leadgen.test"
    assert "Lakeside" in str(event["organizer"].params["cn"])


def test_calendar_endpoint_is_rfc5545_with_a_stable_uid(app, client):
    slug = make_webinar(app)
    first = client.get(f"/webinars/{slug}/calendar.ics")
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    assert f'filename="{slug}.ics"' in first.headers["Content-Disposition"]
    assert b"\r\n" in first.data  # RFC 5545 lines end with CRLF
    event = parse_single_event(first.data)
    again = parse_single_event(client.get(f"/webinars/{slug}/calendar.ics").data)
    assert event["uid"] == again["uid"]
    assert event.decoded("dtstart") == webinar(app, slug).starts_at
    assert event["dtend"].to_ical().endswith(b"Z")
    assert JOIN_URL in str(event["location"])
    assert client.get("/webinars/no-such-webinar/calendar.ics").status_code == 404


def test_registering_twice_is_one_registration_and_one_confirmation(app, client, smtp, deliver):
    slug = make_webinar(app)
    assert register(client, slug).status_code == 303
    assert register(client, slug, email="ANA@example.com ").status_code == 303
    assert count(app, Registration) == 1 and count(app, Lead) == 1
    assert webinar(app, slug).seats_taken == 1
    deliver()
    assert len(smtp.messages) == 1


def test_invalid_input_shows_messages_and_stores_nothing(app, client):
    slug = make_webinar(app)
    response = register(client, slug, email="ana@example", first_name="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter an email address like name@example.com" in page and "Enter your first name." in page
    assert 'aria-invalid="true"' in page and 'value="ana@example"' in page
    assert count(app, Registration) == 0 and count(app, OutboxMessage) == 0


def test_form_without_csrf_is_refused(app, client):
    slug = make_webinar(app)
    response = client.post(f"/webinars/{slug}/register", data={"first_name": "Ana", "email": "ana@example.com"})
    assert response.status_code == 400
    assert count(app, Registration) == 0


def test_honeypot_looks_accepted_but_takes_no_seat(app, client):
    slug = make_webinar(app)
    response = register(client, slug, company="Spam Inc")
    assert response.status_code == 303
    assert count(app, Registration) == 0 and webinar(app, slug).seats_taken == 0


def test_full_webinar_answers_409_with_a_way_on(app, client):
    slug = make_webinar(app, capacity=1)
    token = form_token(client, slug)
    assert register(client, slug, email="first@example.com").status_code == 303
    detail = client.get(f"/webinars/{slug}").get_data(as_text=True)
    assert "All seats for this webinar are taken." in detail and "<form" not in detail.split("<main")[1]
    response = post_registration(client, slug, token, email="second@example.com")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "All seats for this webinar are taken." in page and "other upcoming webinars" in page
    assert count(app, Lead) == 1  # the refused registration stored nothing


def test_started_past_and_cancelled_webinars_refuse_registration(app, client):
    slug = make_webinar(app, starts_in=timedelta(hours=2))
    token = form_token(client, slug)  # the form as the visitor loaded it before the start
    started = utcnow() + timedelta(hours=2, minutes=5)
    with time_machine.travel(started, tick=False):
        response = post_registration(client, slug, token)
        assert response.status_code == 409
        assert "already started" in response.get_data(as_text=True)
        assert "already started" in client.get(f"/webinars/{slug}").get_data(as_text=True)
    with time_machine.travel(started + timedelta(hours=2), tick=False):
        response = post_registration(client, slug, token)
        assert response.status_code == 409 and "already taken place" in response.get_data(as_text=True)
        assert slug not in client.get("/webinars").get_data(as_text=True)  # ended: no longer listed

    other = make_webinar(app, title="Cancelled one")
    token = form_token(client, other)
    with app.app_context():
        cancel_webinar(db.session.scalars(select(Webinar).where(Webinar.slug == other)).one())
    response = post_registration(client, other, token)
    assert response.status_code == 409 and "has been cancelled" in response.get_data(as_text=True)
    assert count(app, Registration) == 0


def test_unknown_webinar_is_404(app, client):
    assert client.get("/webinars/nothing-here").status_code == 404


def test_reminders_are_due_24h_and_1h_before_and_arrive_then(app, client, smtp, deliver):
    slug = make_webinar(app, starts_in=timedelta(days=3))
    starts_at = webinar(app, slug).starts_at
    register(client, slug)
    reminders = outbox(app, template="webinar_reminder")
    assert [message.due_at for message in reminders] == [
        starts_at - timedelta(hours=24),
        starts_at - timedelta(hours=1),
    ]
    deliver()
    assert [mail["Subject"] for mail in smtp.messages] == ["You are registered: Gut health and autoimmunity"]

    with time_machine.travel(starts_at - timedelta(hours=24, minutes=1), tick=False):
        deliver()
        assert len(smtp.messages) == 1  # not a minute early
    with time_machine.travel(starts_at - timedelta(hours=24), tick=False):
        deliver()
    with time_machine.travel(starts_at - timedelta(minutes=59), tick=False):
        deliver()
    subjects = [mail["Subject"] for mail in smtp.messages]
    assert subjects[1:] == [
        "Starting tomorrow: Gut health and autoimmunity",
        "Starting in one hour: Gut health and autoimmunity",
    ]
    assert OWN_JOIN_LINK in text_part(smtp.messages[2])
    assert any("/webinars/cancel/" in link for link in links_in(smtp.messages[2]))


def test_registering_inside_a_reminder_window_skips_that_reminder(app, client):
    slug = make_webinar(app, starts_in=timedelta(hours=10))
    register(client, slug, email="late@example.com")
    assert [message.context["reminder"] for message in outbox(app, template="webinar_reminder")] == ["1h"]

    thanks = client.get(f"/webinars/{slug}/thanks").get_data(as_text=True)
    assert "We remind you by email an hour before the start." in thanks

    very_late = make_webinar(app, starts_in=timedelta(minutes=30), title="Starting soon")
    register(client, very_late, email="later@example.com")
    assert "We remind you" not in client.get(f"/webinars/{very_late}/thanks").get_data(as_text=True)
    assert len(outbox(app, template="webinar_reminder")) == 1  # none more for the half-hour registrant
    assert len(outbox(app, template="webinar_confirmation")) == 2


def test_cancel_link_frees_the_seat_and_drops_the_reminders(app, client, smtp, deliver):
    slug = make_webinar(app, capacity=1)
    register(client, slug, consent="y")
    deliver()
    [cancel_link] = [link for link in links_in(smtp.messages[0]) if "/webinars/cancel/" in link]
    path = cancel_link.removeprefix("http://leadgen.test")

    confirm = client.get(path)  # a GET (mail scanners) changes nothing
    assert confirm.status_code == 200 and "Cancel my registration" in confirm.get_data(as_text=True)
    assert webinar(app, slug).seats_taken == 1
    html = confirm.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    done = client.post(path, data={"csrf_token": token})
    assert done.status_code == 200 and "Your registration is cancelled" in done.get_data(as_text=True)

    assert webinar(app, slug).seats_taken == 0
    assert {m.status for m in outbox(app, template="webinar_reminder")} == {"cancelled"}
    assert {m.status for m in outbox(app) if m.template.startswith("followup_webinar")} == {"cancelled"}
    # The freed seat is someone else's now; the old link does nothing more.
    assert register(client, slug, email="bo@example.com", first_name="Bo").status_code == 303
    again = client.post(path, data={"csrf_token": token})
    assert "Your registration is cancelled" in again.get_data(as_text=True)
    assert webinar(app, slug).seats_taken == 1


def test_registering_again_after_cancelling_sends_a_fresh_confirmation(app, client, smtp, deliver):
    slug = make_webinar(app)
    register(client, slug)
    deliver()
    with app.app_context():
        from leadgen.webinars.cancellation import cancel_registration

        cancel_registration(db.session.scalars(select(Registration)).one())
    assert register(client, slug).status_code == 303
    assert webinar(app, slug).seats_taken == 1
    deliver()
    assert len(smtp.messages) == 2 and count(app, Registration) == 1


def test_forged_cancel_link_is_404(app, client):
    assert client.get("/webinars/cancel/not-a-token").status_code == 404


def test_cancelled_webinar_drops_reminders_and_tells_registrants(app, client, smtp, deliver):
    slug = make_webinar(app)
    register(client, slug, email="ana@example.com", consent="y")
    register(client, slug, email="bo@example.com", first_name="Bo")
    deliver()
    smtp.handler.reset()
    with app.app_context():
        told = cancel_webinar(db.session.scalars(select(Webinar)).one())
    assert told == 2
    assert {m.status for m in outbox(app, template="webinar_reminder")} == {"cancelled"}
    assert {m.status for m in outbox(app) if m.template.startswith("followup_")} <= {"cancelled"}
    deliver()
    assert sorted(mail["To"].addresses[0].addr_spec for mail in smtp.messages) == ["ana@example.com", "bo@example.com"]
    assert all(mail["Subject"] == "Cancelled: Gut health and autoimmunity" for mail in smtp.messages)
    assert "has been cancelled" in client.get(f"/webinars/{slug}").get_data(as_text=True)


def test_consenting_registrant_gets_the_webinar_follow_up_after_it_ends(app, client):
    slug = make_webinar(app)
    register(client, slug, email="yes@example.com", consent="y")
    register(client, slug, email="no@example.com")
    ends_at = webinar(app, slug).starts_at + timedelta(minutes=60)
    followups = [m for m in outbox(app) if m.template.startswith("followup_webinar")]
    assert {m.recipient for m in followups} == {"yes@example.com"}
    assert all(m.due_at > ends_at and m.category == "marketing" for m in followups)


def test_demo_seed_schedules_three_upcoming_webinars_once(app, client, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "webinars: scheduled 3, kept 0" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert "webinars: scheduled 0, kept 3" in second.output
    assert count(app, Webinar) == 3
    page = client.get("/webinars").get_data(as_text=True)
    assert page.count('class="webinar-card"') == 3 and "100 seats left" in page


def test_registration_emits_one_webinar_registered_webhook(app, client):
    from leadgen.webhooks.service import create_webhook

    with app.app_context():
        create_webhook("https://crm.example/hooks", ["webinar.registered"])
    slug = make_webinar(app)
    register(client, slug)
    register(client, slug)  # the same person again: no second event
    [call] = outbox(app, kind="webhook")
    assert call.template == "webinar.registered" and call.recipient == "https://crm.example/hooks"
    data = call.context["payload"]["data"]
    assert data["webinar"]["slug"] == slug and data["lead"]["email"] == "ana@example.com"
