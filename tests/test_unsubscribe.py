"""Unsubscribing: RFC 8058 one-click from the header, the footer link's page, forged links."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.followups.service import start_sequence
from leadgen.leads.models import Activity, Lead
from leadgen.tokens import sign

from .helpers import path_of, request_ebook
from .test_followups import MONDAY_10AM_CST, at, deliver_at, followup_rows

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def first_call(clinic, smtp):
    """An app whose lead asked for the ebook and got the "call our office" mail (step 2 still queued)."""
    app = clinic()
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2))
    assert len(smtp.messages) == 2
    return app, smtp.messages[-1]


def one_click(client, url: str):
    """What Gmail or Yahoo sends (RFC 8058) to the URL as given: this body, no cookies, no CSRF token."""
    return client.post(url, data=ONE_CLICK, content_type="application/x-www-form-urlencoded")


def lead_state(app) -> tuple:
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        kinds = [activity.kind for activity in lead.activities]
        return lead.unsubscribed_at, kinds


def unsubscribe_activity(app) -> dict:
    with app.app_context():
        return db.session.scalars(select(Activity).where(Activity.kind == "unsubscribed")).one().detail


def test_one_click_through_the_exact_header_url_without_csrf(first_call, smtp):
    app, mail = first_call
    header = mail["List-Unsubscribe"]
    assert re.fullmatch(r"<http://leadgen\.test/unsubscribe/[\w.\-]+>", header)
    url = header[1:-1]

    response = one_click(app.test_client(), url)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)

    unsubscribed_at, _kinds = lead_state(app)
    assert unsubscribed_at is not None
    assert unsubscribe_activity(app) == {"via": "one-click"}
    # The webinar invitation still waiting is cancelled at once, and nothing more arrives.
    assert followup_rows(app)[1].status == "cancelled"
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert len(smtp.messages) == 2


def test_footer_link_shows_one_button_then_unsubscribes(first_call, smtp):
    app, mail = first_call
    [link] = re.findall(r"Unsubscribe with one click: (\S+)", mail.get_body(preferencelist=("plain",)).get_content())
    client = app.test_client()

    page = client.get(path_of(link))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<form") == 1 and html.count("<button") == 1
    assert "stops all marketing email" in html and "ana@example.com" in html
    assert lead_state(app)[0] is None  # looking changes nothing

    [action] = re.findall(r'<form method="post" action="([^"]+)"', html)
    response = client.post(action)
    assert response.status_code == 303
    done = client.get(response.location)
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert lead_state(app)[0] is not None
    assert unsubscribe_activity(app) == {"via": "page"}

    # Twice is harmless: one activity, same answer.
    assert client.post(action).status_code == 303
    assert lead_state(app)[1].count("unsubscribed") == 1


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "eyJsZWFkIjoxfQ.forged.signature", "other-purpose"],
)
def test_forged_token_shows_a_404_page_and_changes_nothing(first_call, smtp, token):
    app, _mail = first_call
    if token == "other-purpose":
        with app.test_request_context():
            token = sign("ebook-download", {"lead": 1})
    client = app.test_client()
    for response in (
        client.get(f"/unsubscribe/{token}"),
        one_click(client, f"/unsubscribe/{token}"),
    ):
        assert response.status_code == 404
        assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert lead_state(app)[0] is None
    assert followup_rows(app)[1].status == "queued"


def test_a_token_for_an_erased_lead_does_not_fit_a_new_lead_with_the_same_id(first_call, smtp):
    app, mail = first_call
    url = mail["List-Unsubscribe"][1:-1]
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        lead.email = "someone.else@example.com"  # as if the row now belonged to another person
        db.session.commit()
    assert one_click(app.test_client(), url).status_code == 404
    assert lead_state(app)[0] is None


def test_other_forms_still_need_their_csrf_token(first_call):
    app, _mail = first_call
    response = app.test_client().post("/ebook", data={"first_name": "Ana", "email": "ana@example.com"})
    assert response.status_code == 400


def test_one_click_is_never_rate_limited(clinic, smtp):
    """Mailbox providers POST for many readers from few addresses: every unsubscribe must land."""
    app = clinic(RATELIMIT_ENABLED=True, PUBLIC_POST_LIMIT="2/minute")
    with app.app_context():
        for number in range(4):
            lead = Lead(email=f"reader{number}@example.com", first_name="Ana", source="ebook", marketing_consent=True)
            db.session.add(lead)
            db.session.flush()
            start_sequence(lead, "ebook", starts_at=MONDAY_10AM_CST)
        db.session.commit()
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2))
    calls = [message for message in smtp.messages if "List-Unsubscribe" in message]
    assert len(calls) == 4
    client = app.test_client()
    assert all(one_click(client, message["List-Unsubscribe"][1:-1]).status_code == 200 for message in calls)
    with app.app_context():
        assert all(lead.unsubscribed_at for lead in db.session.scalars(select(Lead)))
