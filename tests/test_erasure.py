"""Erasure (GDPR art. 17): nothing findable by the person's email anywhere, a tombstone, an audit record."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import JSON, String, Text, cast, func, select

from leadgen.blog.models import Comment, Post
from leadgen.extensions import db
from leadgen.leads.models import ErasedLead, ExportLog, Lead
from leadgen.outbox.models import OutboxMessage
from leadgen.privacy.erasure import email_hash, is_erased
from leadgen.webinars.models import Webinar

from .helpers import add_lead, staff_token, submit_form

EMAIL = "ottilie.quux@example.com"
NAME = "Ottilie"


def places_mentioning(app, needle: str) -> list[str]:
    """Every table.column whose text (or JSON as text) contains `needle`, case-insensitively."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text | JSON):
                    continue
                text = func.lower(cast(column, Text))
                hits = db.session.scalar(select(func.count()).select_from(table).where(text.contains(needle.lower())))
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def person_everywhere(app, client, deliver) -> int:
    """The person asks for the ebook, registers for a webinar and comments; some mail goes out."""
    admin = staff_token(app, "api@clinic.example")
    webinar = client.post(
        "/api/v1/webinars",
        json={
            "title": "Living well with lupus",
            "starts_at": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
            "duration_minutes": 60,
            "capacity": 30,
            "join_url": "https://meet.example/lupus",
            "description": "Questions welcome.",
        },
        headers=admin,
    )
    assert webinar.status_code == 201, webinar.json
    slug = webinar.json["slug"]
    person = {"email": EMAIL, "first_name": NAME, "consent": True}
    assert client.post(f"/api/v1/webinars/{slug}/registrations", json=person).status_code == 202
    assert client.post("/api/v1/ebook-requests", json=person).status_code == 202
    with app.app_context():
        db.session.add(Post(slug="gut-health", title="Gut health", published_at=datetime.now(UTC) - timedelta(days=1)))
        db.session.commit()
    comment = {
        "name": NAME,
        "email": EMAIL,
        "body": "This helped me a lot, thank you.",
        "website": "https://ottilie.example",
    }
    assert client.post("/api/v1/posts/gut-health/comments", json=comment).status_code == 202
    deliver()
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) >= 1
        return db.session.scalars(select(Lead.id).where(Lead.email == EMAIL)).one()


def test_erased_person_cannot_be_found_in_any_table(app, client, deliver, auth):
    lead_id = person_everywhere(app, client, deliver)
    other_id = add_lead(app, "someone.else@example.com", consent=True)
    assert "leads.email" in places_mentioning(app, EMAIL)

    auth.sign_in()
    with client.get(f"/admin/leads/export.csv?q={EMAIL}") as export:  # staff looked the person up
        assert EMAIL in export.get_data(as_text=True)
    confirm = client.get(f"/admin/leads/{lead_id}/erase")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.get_data(as_text=True)
    response = submit_form(client, f"/admin/leads/{lead_id}/erase", {})
    assert response.status_code == 303 and response.location == "/admin/leads"
    assert f"Lead {lead_id} was erased" in client.get("/admin/leads").get_data(as_text=True)

    assert places_mentioning(app, EMAIL) == []
    assert places_mentioning(app, NAME) == []
    assert places_mentioning(app, "ottilie.example") == []
    with app.app_context():
        tombstone = db.session.scalars(select(ErasedLead)).one()
        assert tombstone.lead_id == lead_id and tombstone.erased_by == "admin@clinic.example"
        assert tombstone.email_sha256 == email_hash(" Ottilie.Quux@Example.com") and tombstone.erased_at
        assert is_erased(EMAIL) and not is_erased("someone.else@example.com")
        # The words of the comment stay under the article, signed "Anonymous".
        comment = db.session.scalars(select(Comment)).one()
        assert (comment.name, comment.email, comment.website) == ("Anonymous", None, None)
        # The seat is free again, and nobody else was touched.
        assert db.session.scalars(select(Webinar.seats_taken)).one() == 0
        assert db.session.get(Lead, other_id) is not None
        assert db.session.scalars(select(ExportLog.filters)).one() == {"q": "(erased)"}
    assert client.get(f"/admin/leads/{lead_id}").status_code == 404
    audit = client.get("/admin/erasures").get_data(as_text=True)
    assert f"<td>Lead {lead_id}</td><td>admin@clinic.example</td>" in audit


def test_erasure_through_the_api(app, client):
    lead_id = add_lead(app, EMAIL, consent=True)
    headers = staff_token(app)
    response = client.delete(f"/api/v1/leads/{lead_id}", headers=headers)
    assert response.status_code == 204 and response.data == b""
    assert places_mentioning(app, EMAIL) == []
    assert client.delete(f"/api/v1/leads/{lead_id}", headers=headers).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(ErasedLead.erased_by)).one() == "admin@clinic.example"


def test_marketing_staff_see_no_erase_button_and_get_403(app, client, auth):
    lead_id = add_lead(app, EMAIL)
    auth.sign_in(role="marketing")
    page = client.get(f"/admin/leads/{lead_id}").get_data(as_text=True)
    assert "Erase" not in page and "Download data (JSON)" in page
    assert client.get(f"/admin/leads/{lead_id}/erase").status_code == 403
    with app.app_context():
        assert db.session.get(Lead, lead_id) is not None and not is_erased(EMAIL)
