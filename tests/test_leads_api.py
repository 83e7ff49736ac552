"""The staff leads API: cursor pages for the CRM, marking booked, erasure, subject access, OpenAPI."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from leadgen.extensions import db
from leadgen.followups.service import start_sequence
from leadgen.leads.models import Activity, Lead
from leadgen.outbox.models import OutboxMessage
from leadgen.outbox.service import enqueue
from leadgen.webhooks.service import create_webhook

from .helpers import add_lead, staff_token

DAY = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)


def test_a_page_shows_source_consent_status_utm_and_activity_count(app, client):
    lead_id = add_lead(app, "ana@example.com", consent=True, utm_source="newsletter", created_at=DAY)
    add_lead(app, "ana@example.com", source="webinar")  # the same person again: one lead, two activities
    response = client.get("/api/v1/leads", headers=staff_token(app))
    assert response.status_code == 200
    body = response.get_json()
    assert body["next_cursor"] is None
    [lead] = body["leads"]
    assert lead["id"] == lead_id and lead["email"] == "ana@example.com"
    assert (lead["source"], lead["status"], lead["marketing_consent"]) == ("ebook", "new", True)
    assert lead["utm_source"] == "newsletter" and lead["activities_count"] == 2
    assert lead["created_at"].startswith("2026-11-10T15:00:00")


def test_filters_by_source_and_clinic_dates(app, client):
    add_lead(app, "a@example.com", created_at=DAY - timedelta(days=3))
    add_lead(app, "b@example.com", created_at=DAY)
    add_lead(app, "c@example.com", source="comment", created_at=DAY)
    headers = staff_token(app)

    def emails(query: str) -> list[str]:
        return [lead["email"] for lead in client.get(f"/api/v1/leads?{query}", headers=headers).json["leads"]]

    assert emails("source=ebook") == ["a@example.com", "b@example.com"]
    assert emails("since=2026-11-09") == ["b@example.com", "c@example.com"]
    assert emails("until=2026-11-09&source=ebook") == ["a@example.com"]


def test_pages_cover_every_lead_exactly_once_while_new_leads_arrive(app, client):
    for number in range(25):
        add_lead(app, f"lead{number}@example.com", created_at=DAY + timedelta(minutes=number // 3))
    headers = staff_token(app)
    seen, cursor, arrived = [], None, 0
    while True:
        response = client.get("/api/v1/leads", query_string={"limit": 4, "cursor": cursor or ""}, headers=headers)
        assert response.status_code == 200
        seen += [lead["email"] for lead in response.json["leads"]]
        # Two people sign up between every pair of pages.
        for _ in range(2 if arrived < 10 else 0):
            add_lead(app, f"new{arrived}@example.com")
            arrived += 1
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 25 + arrived
    with app.app_context():
        assert set(seen) == set(db.session.scalars(select(Lead.email)))


def test_a_bad_cursor_or_limit_is_a_422_naming_the_field(app, client):
    headers = staff_token(app)
    response = client.get("/api/v1/leads?cursor=not-a-cursor", headers=headers)
    assert response.status_code == 422
    assert "not valid" in response.json["errors"]["cursor"][0]
    assert "errors" in client.get("/api/v1/leads?limit=0", headers=headers).json
    assert client.get("/api/v1/leads?since=yesterday", headers=headers).status_code == 422


def test_marking_booked_cancels_queued_marketing_mail_only(app, client):
    lead_id = add_lead(app, "ana@example.com", consent=True)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        start_sequence(lead, "ebook", datetime.now(UTC))
        enqueue(template="ebook_delivery", recipient=lead.email, dedupe_key="ebook:x", lead_id=lead_id)
        db.session.commit()
    response = client.patch(f"/api/v1/leads/{lead_id}", json={"status": "booked"}, headers=staff_token(app))
    assert response.status_code == 200
    assert response.json["status"] == "booked" and response.json["id"] == lead_id
    with app.app_context():
        states = {m.category: m.status for m in db.session.scalars(select(OutboxMessage))}
        marketing = db.session.scalars(select(OutboxMessage.status).where(OutboxMessage.category == "marketing"))
        assert set(marketing) == {"cancelled"}
        assert states["transactional"] == "queued"  # what they asked for still goes
        marked = db.session.scalars(select(Activity).where(Activity.kind == "marked_booked")).one()
        assert marked.detail == {"by": "admin@clinic.example"}


def test_patch_refuses_other_statuses(app, client):
    lead_id = add_lead(app, "ana@example.com")
    response = client.patch(f"/api/v1/leads/{lead_id}", json={"status": "vip"}, headers=staff_token(app))
    assert response.status_code == 422
    assert response.json["errors"]["status"] == ["Choose one of: contacted, booked."]


def test_subject_access_export_holds_the_consent_evidence(app, client):
    lead_id = add_lead(app, "ana@example.com", consent=True, first_offer="Gut health")
    response = client.get(f"/api/v1/leads/{lead_id}/export", headers=staff_token(app))
    assert response.status_code == 200
    data = response.json
    assert data["lead"]["email"] == "ana@example.com" and data["lead"]["first_offer"] == "Gut health"
    [consent] = data["consents"]
    assert consent["ip_address"] == "203.0.113.7" and consent["text_version"] and "unsubscribe" in consent["text"]
    assert [activity["kind"] for activity in data["activities"]] == ["ebook_requested"]
    assert data["emails"] == [] and data["comments"] == []


def test_openapi_documents_the_staff_endpoints_with_bearer_security(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    operations = [
        spec["paths"]["/api/v1/leads"]["get"],
        spec["paths"]["/api/v1/leads/{lead_id}"]["patch"],
        spec["paths"]["/api/v1/leads/{lead_id}"]["delete"],
        spec["paths"]["/api/v1/leads/{lead_id}/export"]["get"],
    ]
    for operation in operations:
        assert operation["security"] == [{"bearerAuth": []}]
        assert {"401", "403"} <= set(operation["responses"])
    parameters = {p["name"] for p in spec["paths"]["/api/v1/leads"]["get"]["parameters"]}
    assert {"source", "since", "until", "cursor", "limit"} <= parameters
    assert spec["paths"]["/api/v1/leads"]["get"]["summary"] == "List leads, oldest first, a page at a time"


def test_booking_calls_the_crm_webhook_once(app, client):
    lead_id = add_lead(app, "ana@example.com")
    with app.app_context():
        create_webhook("https://crm.example/hooks", ["lead.booked"])
    headers = staff_token(app)
    for status in ("booked", "contacted", "booked"):
        assert client.patch(f"/api/v1/leads/{lead_id}", json={"status": status}, headers=headers).status_code == 200
    with app.app_context():
        [call] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))
        assert call.template == "lead.booked" and call.recipient == "https://crm.example/hooks"
        assert call.context["data"]["email"] == "ana@example.com" and call.context["data"]["status"] == "booked"
