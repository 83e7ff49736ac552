"""The ebook journey in a real browser, on a desktop and on a phone."""

import pytest

from .conftest import has_no_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser


def test_visitor_requests_the_ebook_on_a_phone(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server}/")
    assert page.locator("a[href^='tel:']").first.is_visible()
    assert has_no_horizontal_scroll(page)
    page.get_by_role("link", name="Get the free ebook").click()
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Email address").fill("ana@example")
    page.get_by_role("button", name="Send me the free ebook").click()
    assert page.get_by_text("Enter an email address like name@example.com").first.is_visible()
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    assert has_no_horizontal_scroll(page)
    screenshot(page, "ebook-error-375")
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_role("button", name="Send me the free ebook").click()
    page.wait_for_url("**/ebook/thanks")
    assert page.get_by_role("heading", name="What happens next").is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, "ebook-thanks-375")


def test_home_page_on_a_desktop(live_server, page):
    page.goto(f"{live_server}/")
    assert page.get_by_role("heading", name="FREE ebook").is_visible()
    assert page.get_by_role("heading", name="FREE online webinars").is_visible()
    screenshot(page, "home-1280")
