"""In Chromium at 375 and 1280 px: "Did you mean ...?" with its two buttons (no script), each
leading to a thank-you page that names the address, whose "Fix it" brings back the form filled in."""

import pytest

from .conftest import has_no_horizontal_scroll, screenshot
from .helpers import SLUG, make_post
from .test_webinars import make_webinar

pytestmark = pytest.mark.browser


def ask(page, live_server, path: str, send: str) -> None:
    """Open the form, type a typo'd provider, press `send`: the page asks "Did you mean ...?"."""
    page.goto(f"{live_server}{path}")
    page.fill("#first_name", "Pat")
    page.fill("#email", "pat.typo@gmial.com")
    with page.expect_navigation() as sent:
        page.get_by_role("button", name=send).click()
    assert sent.value.status == 422
    assert page.locator("#email-error").inner_text() == "Did you mean pat.typo@gmail.com?"


@pytest.mark.parametrize("width", ["375", "1280"])
def test_taking_the_suggestion_writes_to_the_corrected_address(live_server, request, width):
    page = request.getfixturevalue("phone_page" if width == "375" else "page")
    ask(page, live_server, "/ebook", "Send me the free ebook")
    take = page.get_by_role("button", name="Yes, use pat.typo@gmail.com")
    keep = page.get_by_role("button", name="No, keep pat.typo@gmial.com")
    assert take.is_visible() and keep.is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, f"email-typo-ebook-{width}")
    with page.expect_navigation() as taken:
        take.click()
    assert taken.value.status == 200 and page.url.endswith("/ebook/thanks")
    assert "We are writing to pat.typo@gmail.com." in page.locator(".written-to").inner_text()
    screenshot(page, f"email-typo-ebook-thanks-{width}")
    page.get_by_role("link", name="Fix it").click()
    assert page.input_value("#email") == "pat.typo@gmail.com"
    assert page.input_value("#first_name") == "Pat"


@pytest.mark.parametrize("width", ["375", "1280"])
def test_keeping_what_was_typed_registers_it(app, live_server, request, width):
    page = request.getfixturevalue("phone_page" if width == "375" else "page")
    slug = make_webinar(app)
    ask(page, live_server, f"/webinars/{slug}", "Save my seat")
    screenshot(page, f"email-typo-webinar-{width}")
    with page.expect_navigation() as kept:
        page.get_by_role("button", name="No, keep pat.typo@gmial.com").click()
    assert kept.value.status == 200 and page.url.endswith(f"/webinars/{slug}/thanks")
    assert "We are writing to pat.typo@gmial.com." in page.locator(".written-to").inner_text()
    assert has_no_horizontal_scroll(page)
    screenshot(page, f"email-typo-webinar-thanks-{width}")
    page.get_by_role("link", name="Fix it").click()
    assert page.input_value("#email") == "pat.typo@gmial.com"


def test_leave_a_reply_asks_and_a_remembered_commenter_keeps_the_address_taken(app, live_server, phone_page):
    make_post(app)
    app.config["COMMENT_MIN_SECONDS"] = 1  # a person types for longer; a second here, waited below
    page = phone_page
    page.goto(f"{live_server}/blog/{SLUG}")
    page.get_by_label("Comment", exact=True).fill("Thank you, this helped me understand my results.")
    page.get_by_label("Name", exact=True).fill("Pat")
    page.get_by_label("Email", exact=True).fill("pat.typo@gmial.com")
    page.locator("#remember").check()
    page.wait_for_timeout(1100)
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Post comment").click()
    assert sent.value.status == 422
    screenshot(page, "email-typo-reply-375")
    # Answered at once: the form shown again keeps the time it was first opened.
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, use pat.typo@gmail.com").click()
    page.wait_for_load_state("load")
    assert "We will email" not in page.content()  # not asked for: no address to name
    assert page.get_by_text("Your comment is awaiting moderation").first.is_visible()
    saved = page.evaluate("JSON.parse(localStorage.getItem('leadgen.commenter')).email")
    assert saved == "pat.typo@gmail.com"
