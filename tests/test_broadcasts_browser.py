"""The broadcast form in headless Chromium: the count follows the audience fields as they change."""

import pytest

from .drills.browser import sign_in
from .helpers import add_lead, make_staff

pytestmark = pytest.mark.browser


def test_the_count_follows_the_audience_as_it_changes(app, live_server, page):
    email = make_staff(app, role="marketing")
    add_lead(app, "ana@example.com", consent=True)
    add_lead(app, "ben@example.com", consent=True)
    add_lead(app, "cy@example.com", source="webinar", consent=True)
    sign_in(page, live_server, email, going_to="/admin/broadcasts/new")
    page.wait_for_url("**/admin/broadcasts/new")
    status = page.locator("#audience")
    page.get_by_text("3 leads will get it now.").wait_for()
    page.get_by_label("Where they came from").select_option("ebook")
    page.get_by_text("2 leads will get it now.").wait_for()
    page.get_by_label("Where they came from").select_option("comment")
    page.get_by_text("Nobody in this audience may receive marketing mail.").wait_for()
    assert status.get_attribute("role") == "status"
