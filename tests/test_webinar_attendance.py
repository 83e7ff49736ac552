"""Webinars that know who came: each registrant's own join link, the attendee CSV, and the
thank-you or "sorry we missed you" after the end (time-machine, a real SMTP server)."""

import io
from datetime import timedelta

import time_machine
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.privacy.erasure import erase_lead
from leadgen.tokens import sign_for_lead
from leadgen.webinars.attendance import JOIN_PURPOSE
from leadgen.webinars.cancellation import cancel_registration
from leadgen.webinars.models import Registration

from .helpers import csrf_token_from, links_in, make_staff, sign_in, staff_token, text_part
from .test_webinars import JOIN_URL, form_token, make_webinar, post_registration, register, webinar

REPLAY_URL = "https://video.example/replays/gut-health"
PEOPLE = ("ana", "bo", "cy", "dan", "eve")


def join_links(smtp) -> dict[str, str]:
    """Each registrant's own join link, from their confirmation mail, by first part of the address."""
    links = {}
    for mail in smtp.messages:
        name = mail["To"].addresses[0].addr_spec.split("@")[0]
        [link] = {url for url in links_in(mail) if "/webinars/join/" in url}
        links[name] = link.removeprefix("http://leadgen.test")
    return links


def registration_of(app, email) -> Registration:
    with app.app_context():
        found = db.session.scalars(select(Registration).join(Lead).where(Lead.email == email)).one()
        db.session.expunge(found)
        return found


def upload_attendees(client, webinar_id, data: bytes):
    page = client.get(f"/admin/webinars/{webinar_id}").get_data(as_text=True)
    return client.post(
        f"/admin/webinars/{webinar_id}/attendees",
        data={"csrf_token": csrf_token_from(page), "attendees": (io.BytesIO(data), "attendees.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_join_links_record_attendance_and_the_after_mail_thanks_attendees_and_misses_no_shows(
    app, client, smtp, deliver
):
    slug = make_webinar(app, starts_in=timedelta(days=2))
    for name in PEOPLE:
        register(client, slug, email=f"{name}@example.com", first_name=name.title())
    deliver()
    links = join_links(smtp)
    assert len(set(links.values())) == len(PEOPLE)
    scheduled = webinar(app, slug)
    start, end = scheduled.starts_at, scheduled.ends_at

    cy, dan, ana = (registration_of(app, f"{name}@example.com") for name in ("cy", "dan", "ana"))
    with app.app_context():
        cancel_registration(db.session.get(Registration, cy.id))
        erase_lead(dan.lead_id, erased_by="test")
        bo = db.session.scalars(select(Lead).where(Lead.email == "bo@example.com")).one()
        someone_elses = sign_for_lead(JOIN_PURPOSE, bo, registration=ana.id, generation=1)

    with time_machine.travel(start - timedelta(hours=1), tick=False):
        early = client.get(links["ana"])
        assert early.status_code == 200 and "It is not time yet" in early.get_data(as_text=True)
        assert "/calendar.ics" in early.get_data(as_text=True)
        assert client.get(links["ana"] + "/calendar.ics").data.count(b"/webinars/join/") >= 1
        assert registration_of(app, "ana@example.com").attended_at is None
    with time_machine.travel(start - timedelta(minutes=10), tick=False):
        opened = client.get(links["ana"])
        assert opened.status_code == 302 and opened.location == JOIN_URL
        for refused in (links["cy"], links["dan"], f"/webinars/join/{someone_elses}", links["ana"] + "x"):
            assert client.get(refused).status_code == 404, refused
    assert registration_of(app, "ana@example.com").attended_at is not None

    make_staff(app)
    sign_in(client)
    with time_machine.travel(end + timedelta(minutes=30), tick=False):
        late = client.get(links["bo"])
        assert late.status_code == 200 and "we will email you the link to the replay" in late.get_data(as_text=True)
        # The meeting tool's export, uploaded after the end: Bo was there without the link.
        csv = b"Meeting summary\n\nName,Email Address,Minutes\nBo,BO@example.com,50\nZed,zed@example.org,12\n"
        answer = upload_attendees(client, scheduled.id, csv).get_data(as_text=True)
        assert "1 registrant marked as attended; 1 address in the file did not match" in answer
    assert registration_of(app, "bo@example.com").attended_at is not None

    with time_machine.travel(end + timedelta(hours=2), tick=False):
        deliver()  # the reminders; the hour has passed, but the after mail waits for the replay link
        assert not [mail for mail in smtp.messages if mail["Subject"].startswith(("Thank you", "Sorry"))]
        sent = len(smtp.messages)
        patched = client.patch(
            f"/api/v1/webinars/{slug}", json={"replay_url": REPLAY_URL}, headers=staff_token(app, "api@clinic.example")
        )
        assert patched.status_code == 200
        deliver()
        deliver()
    after = {mail["To"].addresses[0].addr_spec: mail for mail in smtp.messages[sent:]}
    assert set(after) == {"ana@example.com", "bo@example.com", "eve@example.com"}
    assert after["ana@example.com"]["Subject"].startswith("Thank you for joining")
    assert after["bo@example.com"]["Subject"].startswith("Thank you for joining")
    assert after["eve@example.com"]["Subject"].startswith("Sorry we missed you")
    assert all(REPLAY_URL in text_part(mail) for mail in after.values())
    with time_machine.travel(end + timedelta(hours=3), tick=False):
        assert client.get(links["ana"]).location == REPLAY_URL


def test_without_a_replay_link_the_after_mail_goes_a_day_after_the_end(app, client, smtp, deliver):
    slug = make_webinar(app, starts_in=timedelta(days=1))
    register(client, slug)
    deliver()
    end = webinar(app, slug).ends_at
    with time_machine.travel(end + timedelta(hours=23), tick=False):
        deliver()
    assert len(smtp.messages) == 2  # the confirmation and the 1h reminder
    with time_machine.travel(end + timedelta(days=1), tick=False):
        deliver()
        deliver()
    [missed] = smtp.messages[2:]
    assert missed["Subject"].startswith("Sorry we missed you") and "replay" not in text_part(missed).lower()


def test_a_full_webinar_offers_its_waitlist_and_a_freed_seat_goes_to_the_first_on_it(app, client, smtp, deliver):
    slug = make_webinar(app, capacity=1)
    token = form_token(client, slug)
    register(client, slug, email="ana@example.com")
    full = post_registration(client, slug, token, email="bo@example.com", first_name="Bo")
    assert full.status_code == 409
    page = full.get_data(as_text=True)
    assert "Join the waitlist" in page and 'value="bo@example.com"' in page
    joined = client.post(
        f"/webinars/{slug}/waitlist",
        data={"csrf_token": csrf_token_from(page), "email": "bo@example.com", "first_name": "Bo"},
    )
    assert joined.status_code == 200 and "You are on the waitlist" in joined.get_data(as_text=True)
    assert registration_of(app, "bo@example.com").status == "waitlisted"
    deliver()
    assert [mail["To"].addresses[0].addr_spec for mail in smtp.messages] == ["ana@example.com"]

    [cancel_link] = [url for url in links_in(smtp.messages[0]) if "/webinars/cancel/" in url]
    cancel_page = client.get(cancel_link.removeprefix("http://leadgen.test"))
    cancelled = client.post(
        cancel_link.removeprefix("http://leadgen.test"),
        data={"csrf_token": csrf_token_from(cancel_page.get_data(as_text=True))},
    )
    assert cancelled.status_code == 200
    assert registration_of(app, "bo@example.com").status == "registered"
    assert webinar(app, slug).seats_taken == 1
    deliver()
    [confirmation] = smtp.messages[1:]
    assert confirmation["To"].addresses[0].addr_spec == "bo@example.com"
    assert "first on the waitlist" in text_part(confirmation) and "/webinars/join/" in text_part(confirmation)
