"""The content editor in headless Chromium: the preview frame shows the mail styled, scripts off."""

import pytest

from .conftest import screenshot
from .drills.browser import sign_in
from .helpers import make_staff

pytestmark = pytest.mark.browser


def test_preview_shows_the_reworded_mail_in_its_layout(app, live_server, page):
    email = make_staff(app, role="marketing")
    sign_in(page, live_server, email, going_to="/admin/content/mail/ebook_delivery")
    page.get_by_label("Subject").fill("A gift for {first_name}")
    page.get_by_label("Text (Markdown)").fill("Hello **{first_name}**,\n\nHere is your guide.")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview for a sample reader").wait_for()
    assert page.locator(".preview-subject").inner_text() == "A gift for Ana"
    frame = page.frame_locator("iframe[title='The mail as HTML']")
    assert frame.locator("strong").first.inner_text() == "Ana"
    button = frame.get_by_role("link", name="Download the ebook (PDF)")
    # The mail's inline styles apply inside the frame (the preview's own policy allows them).
    assert button.evaluate("element => getComputedStyle(element).backgroundColor") == "rgb(47, 107, 90)"
    screenshot(page, "admin-content-preview-1280")
