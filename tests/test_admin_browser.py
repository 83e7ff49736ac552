"""The console in headless Chromium: sign in, read the dashboard, filter the list, open a lead."""

from datetime import UTC, datetime, timedelta

import pytest

from .conftest import has_no_horizontal_scroll, screenshot
from .drills.browser import sign_in
from .helpers import add_lead, make_staff

pytestmark = pytest.mark.browser


def some_leads(app) -> None:
    """A month of leads from every source, so the chart has something to draw."""
    now = datetime.now(UTC)
    for day in range(30):
        for number in range(day % 4 + 1):
            source = ("ebook", "webinar", "comment")[(day + number) % 3]
            add_lead(
                app,
                f"person{day}-{number}@example.com",
                first_name=f"Person {day}",
                source=source,
                consent=number % 2 == 0,
                created_at=now - timedelta(days=day, hours=number),
            )


def test_dashboard_and_lead_list_on_a_desktop(app, live_server, page):
    email = make_staff(app)
    some_leads(app)
    sign_in(page, live_server, email, going_to="/admin/leads")
    page.wait_for_url("**/admin/leads")
    assert page.get_by_role("heading", name="Leads").is_visible()
    assert page.locator("table.leads tbody tr").count() == 50
    screenshot(page, "admin-leads-1280")

    page.get_by_label("Source").select_option("webinar")
    page.get_by_label("Marketing consent").select_option("yes")
    page.get_by_role("button", name="Show leads").click()
    page.wait_for_url("**/admin/leads?*source=webinar*")
    rows = page.locator("table.leads tbody tr")
    assert 0 < rows.count() < 50
    assert all("webinar" in text for text in rows.locator("td:nth-child(2)").all_inner_texts())
    screenshot(page, "admin-leads-filtered-1280")

    rows.first.get_by_role("link").click()
    page.get_by_role("heading", name="Timeline").wait_for()
    assert page.get_by_role("heading", name="Timeline").is_visible()
    assert page.get_by_role("heading", name="Consent evidence").is_visible()
    page.get_by_role("button", name="Mark booked").click()
    page.get_by_text("Marked booked. Follow-up emails").wait_for()  # back at the same address
    assert page.get_by_text("Marked booked. Follow-up emails").is_visible()
    screenshot(page, "admin-lead-1280")

    page.get_by_role("link", name="Dashboard").click()
    chart = page.get_by_role("img", name="Leads per day by source, last 30 days")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 150
    assert page.locator("svg rect").count() > 30
    table = page.locator("details.chart-table table")
    assert not table.is_visible()  # the numbers wait behind a summary, one click away
    page.locator("summary", has_text="The numbers by day").click()
    assert table.is_visible() and table.locator("tbody tr").count() == 30
    screenshot(page, "admin-dashboard-1280")


def test_console_fits_a_phone(app, live_server, phone_page):
    email = make_staff(app, role="marketing")
    some_leads(app)
    sign_in(phone_page, live_server, email, going_to="/admin/leads")
    phone_page.wait_for_url("**/admin/leads")
    assert has_no_horizontal_scroll(phone_page)
    screenshot(phone_page, "admin-leads-375")
    phone_page.goto(f"{live_server}/admin/")
    assert phone_page.get_by_role("img", name="Leads per day by source, last 30 days").is_visible()
    assert has_no_horizontal_scroll(phone_page)
    screenshot(phone_page, "admin-dashboard-375")
