"""Staff pages for webinars: sign-in required, schedule, edit, cancel, registrations and their CSV."""

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.outbox.models import OutboxMessage
from leadgen.webinars.models import Webinar

from .helpers import count, csrf_token_from, submit_form
from .test_webinars import JOIN_URL, make_webinar, outbox, register, webinar

FORM = {
    "title": "Food as medicine",
    "description": "What to eat, what to avoid.",
    "presenter": "Dr Lee",
    "starts_at": "2030-06-10T18:00",
    "timezone": "America/Chicago",
    "duration_minutes": "60",
    "capacity": "25",
    "join_url": JOIN_URL,
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/webinars"),
        ("get", "/admin/webinars/new"),
        ("post", "/admin/webinars/new"),
        ("get", "/admin/webinars/1"),
        ("get", "/admin/webinars/1/edit"),
        ("post", "/admin/webinars/1/cancel"),
        ("get", "/admin/webinars/1/registrations.csv"),
    ],
)
def test_every_staff_page_needs_sign_in(app, client, method, path):
    make_webinar(app)
    response = getattr(client, method)(path)
    assert response.status_code in (302, 303, 400)  # POSTs without a CSRF token stop even earlier
    if response.status_code != 400:
        assert "/admin/login" in response.location
    assert count(app, Webinar) == 1 and webinar(app, make_slug(app)).status == "scheduled"


def make_slug(app) -> str:
    with app.app_context():
        return db.session.scalars(select(Webinar.slug)).first()


def test_empty_list_invites_to_schedule(app, client, auth):
    auth.sign_in(role="marketing")
    page = client.get("/admin/webinars").get_data(as_text=True)
    assert "No webinars yet" in page and "/admin/webinars/new" in page


def test_staff_schedule_a_webinar_in_the_clinic_timezone(app, client, auth):
    auth.sign_in(role="marketing")
    response = submit_form(client, "/admin/webinars/new", FORM)
    assert response.status_code == 303
    created = webinar(app, "food-as-medicine-2030-06-10")
    assert created.starts_at.isoformat() == "2030-06-10T23:00:00+00:00"  # 6 PM CDT is 23:00 UTC
    detail = client.get(response.location).get_data(as_text=True)
    assert "Food as medicine" in detail and "Nobody has registered yet" in detail
    listing = client.get("/admin/webinars").get_data(as_text=True)
    assert "0 / 25" in listing


def test_form_errors_are_422_beside_the_fields(app, client, auth):
    auth.sign_in(role="marketing")
    bad = {**FORM, "starts_at": "2020-01-01T10:00", "capacity": "none", "timezone": "Mars/Olympus", "title": ""}
    response = submit_form(client, "/admin/webinars/new", bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a title." in page and "Enter a whole number of seats." in page
    assert "Choose a timezone like America/Chicago." in page
    assert count(app, Webinar) == 0


def test_form_without_csrf_is_refused(app, client, auth):
    auth.sign_in(role="marketing")
    assert client.post("/admin/webinars/new", data=FORM).status_code == 400
    assert count(app, Webinar) == 0


def test_editing_the_time_moves_the_reminders(app, client, auth):
    slug = make_webinar(app, starts_in=timedelta(days=5))
    register(client, slug)
    auth.sign_in(role="marketing")
    scheduled = webinar(app, slug)
    edit_url = f"/admin/webinars/{scheduled.id}/edit"
    page = client.get(edit_url).get_data(as_text=True)
    assert 'value="Gut health and autoimmunity"' in page
    response = submit_form(client, edit_url, {**FORM, "starts_at": "2030-06-10T18:00"})
    assert response.status_code == 303
    moved = webinar(app, slug)
    assert moved.starts_at.isoformat() == "2030-06-10T23:00:00+00:00" and moved.revision == 1
    due = [message.due_at for message in outbox(app, template="webinar_reminder")]
    assert due == [moved.starts_at - timedelta(hours=24), moved.starts_at - timedelta(hours=1)]
    [notice] = outbox(app, template="webinar_moved")
    assert notice.recipient == "ana@example.com" and notice.context["attachments"][0]["filename"] == f"{slug}.ics"


def test_attendee_upload_says_what_it_did_and_refuses_what_is_not_a_list(app, client, auth):
    slug = make_webinar(app)
    register(client, slug, email="ana@example.com")
    auth.sign_in()
    scheduled = webinar(app, slug)
    page = client.get(f"/admin/webinars/{scheduled.id}").get_data(as_text=True)
    assert "Who attended" in page

    def upload(data: bytes | None):
        files = {"attendees": (io.BytesIO(data), "list.csv")} if data is not None else {}
        response = client.post(
            f"/admin/webinars/{scheduled.id}/attendees",
            data={"csrf_token": csrf_token_from(page), **files},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "Choose the attendee list" in upload(None)
    assert "No column named email" in upload(b"name,minutes\nAna,40\n")
    assert "1 registrant marked as attended; 0 addresses" in upload(b"EMAIL\nana@example.com\n")
    assert "Attended" in client.get(f"/admin/webinars/{scheduled.id}").get_data(as_text=True)


def test_saving_unchanged_keeps_the_time_and_capacity_cannot_drop_below_registrations(app, client, auth):
    slug = make_webinar(app, starts_in=timedelta(days=5), capacity=3)
    register(client, slug, email="a@example.com")
    register(client, slug, email="b@example.com")
    auth.sign_in(role="marketing")
    before = webinar(app, slug)
    edit_url = f"/admin/webinars/{before.id}/edit"
    local_start = before.starts_at.astimezone(ZoneInfo("America/Chicago")).strftime("%Y-%m-%dT%H:%M")
    unchanged = {**FORM, "starts_at": local_start, "capacity": "3"}
    response = submit_form(client, edit_url, {**unchanged, "title": "New title"})
    assert response.status_code == 303
    after = webinar(app, slug)
    assert after.title == "New title" and after.starts_at == before.starts_at and after.revision == 0
    too_small = submit_form(client, edit_url, {**unchanged, "capacity": "1"})
    assert too_small.status_code == 422
    assert "2 people are registered" in too_small.get_data(as_text=True)
    assert webinar(app, slug).capacity == 3


def test_cancel_from_the_console_tells_registrants(app, client, auth):
    slug = make_webinar(app)
    register(client, slug)
    auth.sign_in(role="marketing")
    detail_url = f"/admin/webinars/{webinar(app, slug).id}"
    page = client.get(detail_url).get_data(as_text=True)
    assert "Cancel the webinar and tell 1 registrant" in page
    response = submit_form(client, detail_url, {}, action=f"{detail_url}/cancel")
    assert response.status_code == 303
    assert webinar(app, slug).status == "cancelled"
    assert "1 registrant will get an email" in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        templates = set(db.session.scalars(select(OutboxMessage.template).where(OutboxMessage.status == "queued")))
    assert "webinar_cancelled" in templates and "webinar_reminder" not in templates


def test_registrations_page_and_csv_export(app, client, auth):
    slug = make_webinar(app)
    register(client, slug, email="ana@example.com", first_name="Ána", consent="y")
    register(client, slug, email="eve@example.com", first_name="=HYPERLINK(1)")
    auth.sign_in(role="marketing")
    detail_url = f"/admin/webinars/{webinar(app, slug).id}"
    page = client.get(detail_url).get_data(as_text=True)
    assert "ana@example.com" in page and "eve@example.com" in page
    with client.get(f"{detail_url}/registrations.csv") as export:
        assert export.status_code == 200 and export.mimetype == "text/csv"
        assert "attachment" in export.headers["Content-Disposition"]
        text = export.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["email"] for row in rows] == ["ana@example.com", "eve@example.com"]
    assert rows[0]["first_name"] == "Ána" and rows[0]["marketing_consent"] == "yes"
    assert rows[1]["first_name"] == "'=HYPERLINK(1)"  # never a live formula


def test_unknown_webinar_is_404_for_staff(app, client, auth):
    auth.sign_in(role="marketing")
    assert client.get("/admin/webinars/999").status_code == 404
