"""'Stop these emails' in reply notifications: the link and RFC 8058 headers, the page, the stop."""

import re

import pytest
from sqlalchemy import select

from leadgen.blog.models import ReplyNotificationStop
from leadgen.blog.reply_stops import address_sha256
from leadgen.blog.service import anonymise_comments
from leadgen.database import insert_if_absent
from leadgen.extensions import db
from leadgen.outbox.models import OutboxMessage
from leadgen.tokens import address_check, sign

from .conftest import has_no_horizontal_scroll, screenshot
from .helpers import html_part, text_part
from .test_comments import ANA, approve
from .test_comments_admin import BO, add_comment
from .test_unsubscribe import ONE_CLICK, one_click

CY = {"name": "Cy", "email": "cy@example.com", "body": "Same here, it took me years to find out."}


@pytest.fixture
def ana(app, client, post) -> int:
    """Ana's approved comment; she ticked "email me when someone replies"."""
    comment_id = add_comment(client, ANA, notify=True)
    approve(app, comment_id)
    return comment_id


def reply(app, client, parent: int, replier: dict) -> int:
    """`replier` answers the comment `parent`, and staff approve the reply (which queues the notification)."""
    reply_id = add_comment(client, replier, parent_id=parent)
    approve(app, reply_id)
    return reply_id


def reply_mails(smtp) -> list:
    """The reply notifications the SMTP server received."""
    return [m for m in smtp.messages if "replied to your comment" in m["Subject"]]


def reply_rows(app) -> list[tuple[str, str]]:
    """(status, reason) of every reply notification in the outbox."""
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "comment_reply"))
        return [(row.status, row.last_error or "") for row in rows]


def test_a_reply_mail_carries_the_stop_link_and_one_click_headers(app, client, smtp, deliver, ana):
    reply(app, client, ana, BO)
    deliver()
    [mail] = reply_mails(smtp)
    header = mail["List-Unsubscribe"]
    assert re.fullmatch(r"<http://leadgen\.test/blog/stop-replies/[\w.\-]+>", header), header
    assert mail["List-Unsubscribe-Post"] == ONE_CLICK
    url = header[1:-1]
    assert f"Stop these emails (about replies to your comments) with one click:\n{url}" in text_part(mail).replace(
        "\r\n", "\n"
    )
    assert f'<a href="{url}"' in html_part(mail) and "Stop these emails</a>" in html_part(mail)


def test_one_click_stops_the_next_reply_mail(app, client, smtp, deliver, ana):
    reply(app, client, ana, BO)
    deliver()
    url = reply_mails(smtp)[0]["List-Unsubscribe"][1:-1]

    stopped = one_click(app.test_client(), url)
    assert stopped.status_code == 200
    assert "No more reply emails" in stopped.get_data(as_text=True)

    smtp.handler.reset()
    reply(app, client, ana, CY)
    deliver()
    assert reply_mails(smtp) == []
    assert reply_rows(app) == [("sent", "")]  # the second reply queued nothing


def test_the_page_shows_one_button_and_a_get_changes_nothing(app, client, smtp, deliver, ana):
    reply(app, client, ana, BO)
    deliver()
    path = reply_mails(smtp)[0]["List-Unsubscribe"][1:-1].removeprefix("http://leadgen.test")

    reader = app.test_client()
    page = reader.get(path)  # what a link scanner does
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Stop reply emails" in html and ">Stop these emails</button>" in html
    assert "ana@example.com" in html

    pressed = reader.post(path)
    assert pressed.status_code == 303 and pressed.location.endswith(path)
    assert "No more reply emails" in reader.get(path).get_data(as_text=True)
    assert one_click(reader, path).status_code == 200  # pressing again is harmless

    smtp.handler.reset()
    reply(app, client, ana, CY)
    deliver()
    assert reply_mails(smtp) == []


def test_a_reply_already_queued_is_cancelled_when_the_commenter_stops(app, client, smtp, deliver, ana):
    reply(app, client, ana, BO)
    deliver()
    url = reply_mails(smtp)[0]["List-Unsubscribe"][1:-1]
    reply(app, client, ana, CY)  # queued, not yet sent
    assert one_click(app.test_client(), url).status_code == 200
    smtp.handler.reset()
    deliver()
    assert reply_mails(smtp) == []
    assert sorted(reply_rows(app)) == [("cancelled", "cancelled before sending"), ("sent", "")]


def test_the_worker_checks_the_stop_at_send_time(app, client, smtp, deliver, ana):
    reply(app, client, ana, BO)
    # The stop lands after the reply was queued (another process, between claim and send).
    with app.app_context():
        insert_if_absent(ReplyNotificationStop, {"email_sha256": address_sha256(ANA["email"])}, ["email_sha256"])
        db.session.commit()
    deliver()
    assert reply_mails(smtp) == []
    assert reply_rows(app) == [("cancelled", "the commenter stopped reply notifications")]


def test_stopping_replies_leaves_other_commenters_mail_alone(app, client, smtp, deliver, ana):
    reply(app, client, ana, BO)
    deliver()
    one_click(app.test_client(), reply_mails(smtp)[0]["List-Unsubscribe"][1:-1])
    bo_comment = add_comment(client, {**BO, "body": "Ana, what helped you most?"}, notify=True)
    approve(app, bo_comment)
    approve(app, add_comment(client, {**ANA, "body": "Mostly patience."}, parent_id=bo_comment))
    smtp.handler.reset()
    deliver()
    assert [m["To"].addresses[0].addr_spec for m in reply_mails(smtp)] == ["bo@example.com"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_outdated_stop_link_is_refused_and_stops_nothing(app, client, smtp, deliver, ana, method):
    reply(app, client, ana, BO)
    deliver()
    path = reply_mails(smtp)[0]["List-Unsubscribe"][1:-1].removeprefix("http://leadgen.test")
    with app.app_context():
        wrong_address = sign("comment-replies-stop", {"comment": ana, "check": address_check("x@example.com")})
        other_purpose = sign("unsubscribe", {"comment": ana, "check": address_check(ANA["email"])})
    reader = app.test_client()
    for token in ("not-a-token", wrong_address, other_purpose):
        response = getattr(reader, method)(f"/blog/stop-replies/{token}")
        assert response.status_code == 404
        assert "This link is not valid" in response.get_data(as_text=True)
    # Once the address is erased from the comment, its old link names nobody.
    with app.app_context():
        anonymise_comments(ANA["email"])
        db.session.commit()
    assert getattr(reader, method)(path).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(ReplyNotificationStop)).all() == []


@pytest.mark.browser
def test_a_reader_stops_reply_mail_on_a_phone(app, client, smtp, deliver, ana, live_server, phone_page):
    reply(app, client, ana, BO)
    deliver()
    path = reply_mails(smtp)[0]["List-Unsubscribe"][1:-1].removeprefix("http://leadgen.test")
    page = phone_page
    page.goto(f"{live_server}{path}")
    assert page.get_by_role("heading", name="Stop reply emails").is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, "stop-replies-375")

    page.get_by_role("button", name="Stop these emails").click()
    # The answer comes at the same address: wait for it rather than for a new URL.
    page.get_by_role("heading", name="No more reply emails").wait_for()
    assert page.get_by_role("status").is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, "replies-stopped-375")
    with app.app_context():
        assert len(db.session.scalars(select(ReplyNotificationStop)).all()) == 1
