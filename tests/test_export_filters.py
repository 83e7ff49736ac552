"""The shared lead filters and keyset pages (used by the list, the export, the CLI and the API)."""

from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import ValidationError

from leadgen.extensions import db
from leadgen.leads.filters import LeadFilterSchema, filtered_leads, page_after
from leadgen.leads.models import Lead

from .helpers import insert_lead


def emails(query):
    return [lead.email for lead in db.session.scalars(query)]


def test_empty_query_string_values_mean_no_filter():
    assert LeadFilterSchema().load({"source": "", "since": " ", "page": "3"}) == {}


def test_bad_values_get_messages_beside_the_fields():
    with pytest.raises(ValidationError) as caught:
        LeadFilterSchema().load({"source": "tv", "since": "yesterday", "consent": "maybe"})
    assert set(caught.value.messages) == {"source", "since", "consent"}
    with pytest.raises(ValidationError) as caught:
        LeadFilterSchema().load({"since": "2026-11-10", "until": "2026-11-01"})
    assert "until" in caught.value.messages


def test_filters_combine(app):
    with app.app_context():
        start = datetime(2026, 11, 10, 18, tzinfo=UTC)  # noon in Chicago
        insert_lead("a@example.com", source="ebook", marketing_consent=True, created_at=start)
        insert_lead("b@example.com", source="webinar", first_name="Begoña", created_at=start + timedelta(days=1))
        insert_lead("c@example.com", source="ebook", status="booked", created_at=start + timedelta(days=2))
        insert_lead(
            "d@example.com", marketing_consent=True, unsubscribed_at=start, created_at=start + timedelta(days=3)
        )

        def run(**raw):
            return emails(filtered_leads(LeadFilterSchema().load(raw)))

        assert run() == ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]
        assert run(source="ebook") == ["a@example.com", "c@example.com", "d@example.com"]
        assert run(status="booked") == ["c@example.com"]
        assert run(consent="yes") == ["a@example.com"]
        assert run(consent="no") == ["b@example.com", "c@example.com", "d@example.com"]
        assert run(since="2026-11-11", until="2026-11-12") == ["b@example.com", "c@example.com"]
        assert run(q="bEGOña") == ["b@example.com"]
        assert run(q="c@EXAMPLE") == ["c@example.com"]
        assert run(q="50%") == []


def test_keyset_pages_cover_every_lead_once_while_new_ones_arrive(app):
    with app.app_context():
        same_moment = datetime(2026, 11, 1, tzinfo=UTC)
        for number in range(25):
            insert_lead(f"lead{number}@example.com", created_at=same_moment + timedelta(minutes=number // 4))
        seen, cursor, new_number = [], None, 100
        while True:
            page = page_after(filtered_leads({}), cursor, 7)
            seen += [lead.email for lead in page.items]
            insert_lead(f"lead{new_number}@example.com")  # arrives while staff page through
            new_number += 1
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert len(seen) == len(set(seen))
        assert {f"lead{n}@example.com" for n in range(25)} <= set(seen)


def test_keyset_pages_newest_first_with_plain_rows(app):
    with app.app_context():
        for number in range(5):
            insert_lead(f"n{number}@example.com", created_at=datetime(2026, 11, 1, number, tzinfo=UTC))
        query = filtered_leads({}, newest_first=True, columns=[Lead.id, Lead.email, Lead.created_at])
        first = page_after(query, None, 3, newest_first=True)
        second = page_after(query, first.next_cursor, 3, newest_first=True)
        assert [row.email for row in first.items + second.items] == [f"n{n}@example.com" for n in range(4, -1, -1)]
        assert second.next_cursor is None


def test_webinar_filter_keeps_registered_leads(app):
    from leadgen.webinars.models import Registration, Webinar

    with app.app_context():
        webinar = Webinar(
            slug="gut-health",
            title="Gut health",
            starts_at=datetime(2027, 1, 5, 18, tzinfo=UTC),
            duration_minutes=60,
            capacity=50,
            join_url="https://meet.example/x",
        )
        db.session.add(webinar)
        db.session.commit()
        going = insert_lead("going@example.com")
        gone = insert_lead("gone@example.com")
        insert_lead("other@example.com")
        db.session.add_all(
            [
                Registration(webinar_id=webinar.id, lead_id=going.id),
                Registration(webinar_id=webinar.id, lead_id=gone.id, status="cancelled"),
            ]
        )
        db.session.commit()
        assert emails(filtered_leads(LeadFilterSchema().load({"webinar": "gut-health"}))) == ["going@example.com"]
        assert emails(filtered_leads(LeadFilterSchema().load({"webinar": "nope"}))) == []
