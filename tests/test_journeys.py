"""Whole journeys in headless Chromium, at 1280 px and at 375 px, with the mail they cause.

Each journey ends at what the person came for (the PDF, the seat, the published reply,
the CSV...) and checks that no page scrolls sideways; screenshots go to
artifacts/screenshots/ (CI keeps the folder).
"""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine

from leadgen.database import utcnow
from leadgen.extensions import db

from .conftest import has_no_horizontal_scroll, screenshot
from .drills.browser import sign_in
from .drills.content import first_value, seed_demo
from .helpers import links_in, make_staff

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


def open_page(browser, size: str):
    """A fresh browser context (own cookies) of the given size, and its page."""
    phone = size == "phone"
    context = browser.new_context(viewport=WIDTHS[size], is_mobile=phone, has_touch=phone, accept_downloads=True)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture(params=list(WIDTHS))
def visitor(request, browser):
    """(page, "desktop" or "phone"): the visitor's browser, once at each width."""
    context, page = open_page(browser, request.param)
    yield page, request.param
    context.close()


@pytest.fixture
def staff_page(browser, visitor):
    """A staff member's browser at the same width as the visitor's."""
    context, page = open_page(browser, visitor[1])
    yield page
    context.close()


def check(page, name: str) -> None:
    """Nothing scrolls sideways; keep a screenshot."""
    assert has_no_horizontal_scroll(page), f"{name}: the page scrolls sideways"
    screenshot(page, name)


def local(url: str, live_server: str) -> str:
    """A link from a mail (public base URL) pointed at the test server."""
    return re.sub(r"^https?://[^/]+", live_server, url)


def download_from(page, url: str):
    """Follow a link that answers with an attachment, as a click in a mail client would."""
    with page.expect_download() as info:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; document.body.append(a); a.click(); }", url
        )
    return info.value


def mail_to(smtp, address: str, subject_words: str = ""):
    """The last message received for an address (whose subject has these words)."""
    found = [
        message
        for message in smtp.messages
        if address in message["To"] and subject_words.lower() in str(message["Subject"]).lower()
    ]
    assert found, f"no mail to {address} about {subject_words!r}: {[m['Subject'] for m in smtp.messages]}"
    return found[-1]


def test_ebook_with_a_mistyped_email_then_the_download_link_from_the_mail(live_server, visitor, smtp, deliver):
    page, size = visitor
    page.goto(f"{live_server}/")
    check(page, f"journey-ebook-home-{size}")
    page.get_by_role("link", name="Get the free ebook").first.click()
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Email address").fill("ana@example")
    page.get_by_role("button", name="Send me the free ebook").click()
    email_field = page.get_by_label("Email address")
    assert page.get_by_text("Enter an email address like name@example.com").first.is_visible()
    assert email_field.get_attribute("aria-invalid") == "true"
    assert email_field.input_value() == "ana@example" and page.get_by_label("First name").input_value() == "Ana"
    check(page, f"journey-ebook-mistyped-{size}")

    email_field.fill("ana@example.com")
    page.get_by_role("button", name="Send me the free ebook").click()
    page.wait_for_url("**/ebook/thanks")
    check(page, f"journey-ebook-thanks-{size}")

    deliver()
    [link] = [url for url in links_in(mail_to(smtp, "ana@example.com")) if "/ebook/download/" in url]
    download = download_from(page, local(link, live_server))
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


@pytest.fixture
def demo_content(app):
    """What `flask demo seed` adds: the article, upcoming webinars."""
    seed_demo(app)


def test_webinar_registration_with_the_calendar_invitation(app, demo_content, live_server, visitor, smtp, deliver):
    page, size = visitor
    page.goto(f"{live_server}/webinars")
    register = page.get_by_role("link", name=re.compile(r"^Register"))
    if register.count() == 0:
        pytest.fail("no open webinar on /webinars: the demo seeder should add upcoming webinars")
    check(page, f"journey-webinars-{size}")
    register.first.click()
    page.get_by_label("First name").fill("Ben")
    page.get_by_label("Email address").fill("ben@example.com")
    page.get_by_role("button", name="Save my seat").click()
    page.wait_for_url("**/thanks")
    assert page.get_by_role("heading", name="You are registered").is_visible()
    check(page, f"journey-webinar-registered-{size}")

    deliver()
    confirmation = mail_to(smtp, "ben@example.com")
    calendars = [part for part in confirmation.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert calendars and "BEGIN:VEVENT" in calendars[0].get_content()


@pytest.fixture
def article(app, demo_content):
    """The demo article's path, with comments allowed without the anti-bot pause."""
    app.config["COMMENT_MIN_SECONDS"] = 0
    with app.app_context():
        slug = first_value("leadgen.blog.models", "Post")
        db.session.remove()
    assert slug, "the demo seeder should add an article"
    return f"/blog/{slug}"


def post_comment(page, body: str, name: str, email: str) -> None:
    page.get_by_label("Comment", exact=True).fill(body)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()


def approve_pending(staff, live_server: str, name: str) -> None:
    """Moderation: the staff member approves the pending comment by `name`, if it waits."""
    staff.goto(f"{live_server}/admin/comments")
    approve = staff.get_by_role("button", name=f"Approve: comment by {name}")
    if approve.count():
        approve.first.click()
        staff.wait_for_load_state()
        assert staff.get_by_role("button", name=f"Approve: comment by {name}").count() == 0


def test_leave_a_reply_and_a_reply_to_a_reply_with_moderation(app, live_server, visitor, staff_page, article):
    page, size = visitor
    sign_in(staff_page, live_server, make_staff(app))

    page.goto(f"{live_server}{article}")
    assert page.get_by_role("heading", name="Leave a reply").is_visible()
    post_comment(page, "Does diet matter for Hashimoto's?", "Ana", "ana@example.com")
    assert page.get_by_text("awaiting moderation").first.is_visible()
    check(page, f"journey-comment-pending-{size}")

    approve_pending(staff_page, live_server, "Ana")
    check(staff_page, f"journey-moderation-{size}")

    page.goto(f"{live_server}{article}")
    page.get_by_role("link", name="Reply to Ana").click()
    assert page.get_by_role("heading", name="Reply to Ana").is_visible()
    post_comment(page, "It did for me: ask your physician.", "Ben", "ben@example.com")
    approve_pending(staff_page, live_server, "Ben")

    page.goto(f"{live_server}{article}")
    page.get_by_role("link", name="Reply to Ben").click()
    post_comment(page, "Thank you both!", "Ana", "ana@example.com")
    approve_pending(staff_page, live_server, "Ana")

    page.goto(f"{live_server}{article}#comments")
    nested = page.locator(".comment-list .comment-list .comment-list .comment-body", has_text="Thank you both!")
    assert nested.is_visible(), "the reply to the reply is not shown under the reply"
    check(page, f"journey-comment-thread-{size}")


def test_unsubscribe_from_the_link_in_a_follow_up_mail(app, live_server, visitor, smtp, deliver):
    page, size = visitor
    page.goto(f"{live_server}/ebook")
    page.get_by_label("First name").fill("Cleo")
    page.get_by_label("Email address").fill("cleo@example.com")
    page.get_by_role("checkbox").last.check()  # the marketing consent box
    page.get_by_role("button", name="Send me the free ebook").click()
    page.wait_for_url("**/ebook/thanks")

    sent_before = len(smtp.messages)
    with time_machine.travel(utcnow() + timedelta(days=4), tick=False):
        deliver()  # the ebook and the first "call our office" follow-up
    marketing = [m for m in smtp.messages[sent_before:] if m["List-Unsubscribe"]]
    assert marketing, "no follow-up with an unsubscribe link arrived"
    [link] = [url for url in links_in(marketing[0]) if "/unsubscribe/" in url]

    page.goto(local(link, live_server))
    check(page, f"journey-unsubscribe-{size}")
    page.get_by_role("button", name="Unsubscribe").click()
    # The answer comes at the same address: wait for it rather than for a new URL.
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    check(page, f"journey-unsubscribed-{size}")

    after_unsubscribe = len(smtp.messages)
    with time_machine.travel(utcnow() + timedelta(days=30), tick=False):
        deliver()
    assert len(smtp.messages) == after_unsubscribe, "marketing mail arrived after unsubscribing"


def test_staff_sign_in_then_download_the_leads_as_csv(app, live_server, visitor, smtp):
    page, size = visitor
    from leadgen.ebook.service import request_ebook
    from leadgen.leads.service import Visit

    with app.app_context():
        request_ebook({"email": "dora@example.com", "first_name": "=Dora", "consent": True}, Visit())
        db.session.remove()
    email = make_staff(app, role="marketing")

    page.goto(f"{live_server}/admin/")
    page.wait_for_url("**/admin/login**")
    page.get_by_label("Password").fill("not the password")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()  # the form comes back at the same address
    assert page.get_by_role("alert").is_visible()
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/admin/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    check(page, f"journey-dashboard-{size}")

    page.goto(f"{live_server}/admin/leads")
    check(page, f"journey-leads-{size}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download these leads (CSV)").click()
    with open(info.value.path(), encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(io.StringIO(exported.read())))
    [dora] = [row for row in rows if row["email"] == "dora@example.com"]
    assert dora["first_name"] == "'=Dora" and dora["marketing_consent"] == "yes"
