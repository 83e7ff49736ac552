"""The lead list (search, filters, keyset pages, empty states) and one lead's timeline and actions."""

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from leadgen.extensions import db
from leadgen.followups.service import start_sequence
from leadgen.leads.models import Activity, Lead
from leadgen.outbox.models import OutboxMessage
from leadgen.outbox.service import enqueue

from .helpers import add_lead, csrf_token_from

DAY = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)


def emails_on(page: str) -> list[str]:
    return re.findall(r'<span class="small">([^<]+@[^<]+)</span>', page)


def test_empty_states_tell_no_leads_from_no_match(app, client, auth):
    auth.sign_in(role="marketing")
    assert "No leads yet." in client.get("/admin/leads").get_data(as_text=True)
    add_lead(app, "ana@example.com")
    page = client.get("/admin/leads?source=webinar").get_data(as_text=True)
    assert "No leads match these filters." in page and "No leads yet" not in page


def test_search_by_name_or_email_and_filters(app, client, auth):
    add_lead(app, "ana.lopez@example.com", first_name="Ana", consent=True, created_at=DAY)
    add_lead(app, "ben@example.com", first_name="Benedict", source="webinar", created_at=DAY + timedelta(days=2))
    add_lead(app, "cara@example.com", first_name="Cara", source="comment", status="booked", created_at=DAY)
    auth.sign_in(role="marketing")

    def shown(query: str) -> list[str]:
        response = client.get(f"/admin/leads?{query}")
        assert response.status_code == 200
        return emails_on(response.get_data(as_text=True))

    assert shown("")[0] == "ben@example.com"  # newest first
    assert shown("q=ANA.LOP") == ["ana.lopez@example.com"]
    assert shown("q=benedict") == ["ben@example.com"]
    assert shown("source=comment") == ["cara@example.com"]
    assert shown("status=booked") == ["cara@example.com"]
    assert shown("consent=yes") == ["ana.lopez@example.com"]
    assert shown("since=2026-11-11") == ["ben@example.com"]
    assert shown("until=2026-11-10&q=cara") == ["cara@example.com"]
    # The first and last days a calendar knows are open ends, not an error.
    assert len(shown("since=0001-01-01&until=9999-12-31")) == 3


def test_search_finds_any_part_on_postgresql_and_the_start_on_sqlite_as_the_hint_says(app, client, auth):
    add_lead(app, "ana.lopez@example.com", first_name="Ana María")
    add_lead(app, "ben@example.com", first_name="benedict")
    auth.sign_in(role="marketing")
    page = client.get("/admin/leads?q=LOPEZ").get_data(as_text=True)
    postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert emails_on(page) == (["ana.lopez@example.com"] if postgresql else [])
    hint = "Any part of the first name" if postgresql else "The start of the first name"
    assert f'<p class="hint" id="q-hint">{hint}' in page
    assert emails_on(client.get("/admin/leads?q=mar").get_data(as_text=True)) == (
        ["ana.lopez@example.com"] if postgresql else []
    )
    # Both: the start of either, whatever the case typed (a name as written or in lower case).
    assert emails_on(client.get("/admin/leads?q=ANA").get_data(as_text=True)) == ["ana.lopez@example.com"]
    assert emails_on(client.get("/admin/leads?q=Bened").get_data(as_text=True)) == ["ben@example.com"]
    assert emails_on(client.get("/admin/leads?q=ben%40ex").get_data(as_text=True)) == ["ben@example.com"]


def test_bad_filters_are_explained_beside_the_fields(app, client, auth):
    auth.sign_in(role="marketing")
    response = client.get("/admin/leads?since=2026-11-20&until=2026-11-01")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="until-error"' in page and "The end date must be on or after the start date." in page
    assert 'value="2026-11-20"' in page  # what was typed stays
    page = client.get("/admin/leads?source=fax").get_data(as_text=True)
    assert 'id="source-error"' in page and 'aria-invalid="true"' in page and "Choose one of: ebook" in page
    bad_cursor = client.get("/admin/leads?after=garbage")
    assert bad_cursor.status_code == 422
    assert "This page link is not valid" in bad_cursor.get_data(as_text=True)


def test_keyset_pages_walk_every_lead_once_newest_first_keeping_filters(app, client, auth):
    for number in range(120):
        add_lead(app, f"lead{number:03}@example.com", created_at=DAY + timedelta(minutes=number // 2))
    add_lead(app, "comment@example.com", source="comment")
    auth.sign_in(role="marketing")
    seen, url = [], "/admin/leads?source=ebook"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += emails_on(page)
        assert "OFFSET" not in page
        found = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert parse_qs(urlsplit(url).query)["source"] == ["ebook"]
            add_lead(app, f"arrived{len(seen)}@example.com")  # arrivals go to the top, not into later pages
    assert len(seen) == len(set(seen)) == 120
    assert seen == sorted(seen, reverse=True)


def test_list_links_to_the_csv_export_with_the_same_filters(app, client, auth):
    add_lead(app, "ana@example.com")
    auth.sign_in(role="marketing")
    page = client.get("/admin/leads?source=ebook&q=ana&consent=").get_data(as_text=True)
    link = re.search(r'href="(/admin/leads/export\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {"source": ["ebook"], "q": ["ana"]}


def test_lead_page_shows_timeline_consent_evidence_and_mail(app, client, deliver, auth):
    lead_id = add_lead(app, "ana@example.com", consent=True, utm_source="newsletter")
    with app.app_context():
        context = {"first_name": "Ana", "lead_id": lead_id}
        enqueue(
            template="ebook_delivery", recipient="ana@example.com", dedupe_key="e1", lead_id=lead_id, context=context
        )
        start_sequence(db.session.get(Lead, lead_id), "ebook", datetime.now(UTC))
        db.session.commit()
    deliver()
    auth.sign_in(role="marketing")
    page = client.get(f"/admin/leads/{lead_id}").get_data(as_text=True)
    assert "Asked for the ebook" in page
    assert "203.0.113.7" in page and "2026-11-v1" in page and "I can unsubscribe at any time" in page
    assert "ebook_delivery" in page and ">sent<" in page
    assert "followup_ebook_1" in page and ">queued<" in page
    assert "Erase" not in page  # marketing role


def test_mark_booked_records_who_and_cancels_queued_marketing_mail(app, client, auth):
    lead_id = add_lead(app, "ana@example.com", consent=True)
    with app.app_context():
        start_sequence(db.session.get(Lead, lead_id), "ebook", datetime.now(UTC))
        db.session.commit()
    auth.sign_in(role="marketing")
    token = csrf_token_from(client.get(f"/admin/leads/{lead_id}").get_data(as_text=True))
    response = client.post(f"/admin/leads/{lead_id}/status", data={"csrf_token": token, "status": "booked"})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Marked booked. Follow-up emails still queued for this lead were cancelled." in page
    assert "Marked booked" in page and "by: marketing@clinic.example" in page
    with app.app_context():
        assert db.session.get(Lead, lead_id).status == "booked"
        statuses = set(db.session.scalars(select(OutboxMessage.status).where(OutboxMessage.lead_id == lead_id)))
        assert statuses == {"cancelled"}
        assert db.session.scalars(select(Activity.kind).where(Activity.kind.like("marked_%"))).all() == [
            "marked_booked"
        ]

    refused = client.post(f"/admin/leads/{lead_id}/status", data={"csrf_token": token, "status": "vip"})
    assert "Choose one of: contacted, booked." in client.get(refused.location).get_data(as_text=True)


def test_download_data_is_a_json_attachment(app, client, auth):
    lead_id = add_lead(app, "ana@example.com", first_name="Anaïs", consent=True)
    auth.sign_in(role="marketing")
    response = client.get(f"/admin/leads/{lead_id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="lead-{lead_id}.json"'
    data = json.loads(response.data)
    assert data["lead"]["first_name"] == "Anaïs" and data["consents"][0]["ip_address"] == "203.0.113.7"
