"""Unsubscribing on a phone, in a real browser: one button, then the confirmation."""

import pytest
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.followups.unsubscribe import unsubscribe_token
from leadgen.leads.models import Lead

from .conftest import has_no_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser


def test_reader_unsubscribes_on_a_phone(app, live_server, phone_page):
    with app.app_context():
        lead = Lead(email="a.rather.long.address@example.com", first_name="Ana", source="ebook", marketing_consent=True)
        db.session.add(lead)
        db.session.commit()
        token = unsubscribe_token(lead)
    page = phone_page
    page.goto(f"{live_server}/unsubscribe/{token}")
    assert page.get_by_role("heading", name="Unsubscribe from our emails").is_visible()
    assert page.get_by_text("stops all marketing email").is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, "unsubscribe-375")

    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, "unsubscribed-375")
    with app.app_context():
        assert db.session.scalars(select(Lead)).one().unsubscribed_at is not None

    page.goto(f"{live_server}/unsubscribe/forged-token")
    assert page.get_by_role("heading", name="This unsubscribe link is not valid").is_visible()
