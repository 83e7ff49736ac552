"""Ebook offers in headless Chromium: staff upload one through the console, a visitor asks for it."""

from pathlib import Path

import pytest

from .conftest import has_no_horizontal_scroll, screenshot
from .drills.browser import sign_in
from .helpers import links_in, make_staff, path_of
from .test_ebook_offers import pdf_bytes

pytestmark = pytest.mark.browser


def test_staff_upload_an_ebook_and_a_visitor_gets_it(app, client, live_server, page, tmp_path, smtp, deliver):
    not_a_pdf, thyroid = tmp_path / "notes.pdf", tmp_path / "thyroid.pdf"
    not_a_pdf.write_text("just some notes, not a PDF")
    thyroid.write_bytes(pdf_bytes("Thyroid guide"))
    sign_in(page, live_server, make_staff(app, role="marketing"))
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Ebooks", exact=True).click()
    page.get_by_role("link", name="Offer another ebook").click()
    page.get_by_label("Title").fill("Your Thyroid, Explained")
    page.get_by_label("Address").fill("thyroid-guide")
    page.get_by_label("Description").fill("What Hashimoto's is, and what helps.")
    page.get_by_label("The ebook (PDF)").set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="Offer this ebook").click()
    assert page.locator("#pdf-error").get_by_text("This file is not a PDF.").is_visible()
    assert page.get_by_label("The ebook (PDF)").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Title").input_value() == "Your Thyroid, Explained"

    page.get_by_label("The ebook (PDF)").set_input_files(str(thyroid))
    page.get_by_role("button", name="Offer this ebook").click()
    page.wait_for_url("**/admin/ebooks")
    assert page.get_by_text("Offered: Your Thyroid, Explained.").is_visible()
    screenshot(page, "admin-ebooks")

    page.goto(f"{live_server}/ebook/thyroid-guide")
    assert page.get_by_role("heading", name="FREE ebook: Your Thyroid, Explained").is_visible()
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_role("button", name="Send me the free ebook").click()
    page.wait_for_url("**/ebook/thyroid-guide/thanks")
    assert page.get_by_text("You asked for Your Thyroid, Explained.").is_visible()
    assert has_no_horizontal_scroll(page)

    deliver()
    [mail] = smtp.messages
    [link] = [url for url in links_in(mail) if "/ebook/download/" in url]
    with client.get(path_of(link)) as download:
        assert download.data == Path(thyroid).read_bytes()
