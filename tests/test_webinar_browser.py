"""Webinar pages in headless Chromium: register on a phone, the viewer's own time, the staff list."""

from datetime import timedelta

import pytest

from .conftest import has_no_horizontal_scroll, screenshot
from .drills.browser import sign_in
from .helpers import count, make_staff
from .test_webinars import make_webinar, webinar

pytestmark = pytest.mark.browser


def test_visitor_registers_on_a_375px_phone(app, live_server, phone_page):
    from leadgen.webinars.models import Registration

    page = phone_page
    slug = make_webinar(app, title="Gut health and autoimmunity: a very long title that has to wrap on a phone")
    make_webinar(app, title="Thyroid basics", starts_in=timedelta(days=12))
    page.goto(f"{live_server}/webinars")
    assert page.get_by_text("10 seats left").first.is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, "webinars-list-375")

    page.get_by_role("link", name="Register for Gut health").click()
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Email address").fill("ana@example")
    page.get_by_role("button", name="Save my seat").click()
    assert page.get_by_text("Enter an email address like name@example.com").first.is_visible()
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    assert has_no_horizontal_scroll(page)
    screenshot(page, "webinar-error-375")

    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_label("Yes, send me occasional emails").check()
    page.get_by_role("button", name="Save my seat").click()
    page.wait_for_url(f"**/webinars/{slug}/thanks")
    assert page.get_by_role("heading", name="You are registered").is_visible()
    assert page.get_by_role("heading", name="What happens next").is_visible()
    calendar_link = page.get_by_role("link", name="Add to calendar")
    assert calendar_link.get_attribute("href") == f"/webinars/{slug}/calendar.ics"
    assert has_no_horizontal_scroll(page)
    screenshot(page, "webinar-thanks-375")
    assert count(app, Registration) == 1 and webinar(app, slug).seats_taken == 1


@pytest.mark.parametrize(
    ("zone", "shows_own_time"), [("Europe/Berlin", True), ("America/Chicago", False)], ids=["Berlin", "Chicago"]
)
def test_viewer_sees_their_own_time_when_it_differs(app, live_server, browser, zone, shows_own_time):
    make_webinar(app)
    context = browser.new_context(viewport={"width": 375, "height": 740}, timezone_id=zone, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/webinars")
        own_time = page.locator(".local-time").first
        clinic_time = page.locator("time[data-local-time]").first.inner_text()
        assert "(UTC-06:00)" in clinic_time or "(UTC-05:00)" in clinic_time
        if shows_own_time:
            own_time.wait_for(state="visible")
            assert own_time.inner_text().startswith("Your time:")
            assert "CET" in own_time.inner_text() or "GMT+1" in own_time.inner_text()
            screenshot(page, "webinars-list-berlin-375")
        else:
            assert not own_time.is_visible()
        assert has_no_horizontal_scroll(page)
    finally:
        context.close()


def test_full_webinar_says_so_without_a_form(app, live_server, phone_page):
    slug = make_webinar(app, capacity=1)
    app.test_client().post(f"/api/v1/webinars/{slug}/registrations", json={"email": "a@example.com", "first_name": "A"})
    phone_page.goto(f"{live_server}/webinars/{slug}")
    assert phone_page.get_by_text("All seats for this webinar are taken.").is_visible()
    assert phone_page.locator("main form").count() == 0
    assert has_no_horizontal_scroll(phone_page)
    screenshot(phone_page, "webinar-full-375")


def test_staff_schedule_a_webinar_in_the_console(app, live_server, page):
    sign_in(page, live_server, make_staff(app, role="marketing"), going_to="/admin/webinars")
    page.get_by_role("link", name="Schedule a webinar").click()
    page.get_by_label("Title").fill("Food as medicine")
    page.get_by_label("Start date and time").fill("2030-06-10T18:00")
    page.get_by_label("Duration in minutes").fill("60")
    page.get_by_label("Seats").fill("25")
    page.get_by_label("Join link").fill("https://meet.example/food")
    page.get_by_role("button", name="Schedule").click()
    assert page.get_by_role("heading", name="Food as medicine").is_visible()
    assert page.get_by_text("Nobody has registered yet").is_visible()
    screenshot(page, "admin-webinar-1280")
    page.goto(f"{live_server}/admin/webinars")
    assert page.get_by_text("0 / 25").is_visible()
    screenshot(page, "admin-webinars-1280")
