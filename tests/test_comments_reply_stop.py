"""'Stop these emails' in reply notifications: the link and RFC 8058 headers, the page, the stop."""

import re

import pytest
from sqlalchemy import select

from leadgen.blog.models import Comment, ReplyNotificationStop
from leadgen.blog.reply_stops import address_sha256
from leadgen.blog.service import anonymise_comments
from leadgen.database import insert_if_absent
from leadgen.extensions import db
from leadgen.followups.unsubscribe import address_check
from leadgen.outbox.models import OutboxMessage
from leadgen.tokens import sign

from .helpers import html_part, text_part
from .test_comments import ANA, approve, make_post
from .test_comments_admin import BO, add_comment

ONE_CLICK = "List-Unsubscribe=One-Click"
CY = {"name": "Cy", "email": "cy@example.com", "body": "Same here, it took me years to find out."}


@pytest.fixture
def post(app):
    return make_post(app)


def reply_to_ana(app, client, replier: dict) -> int:
    """Ana (who asked to hear of replies) has an approved comment; `replier` answers it, and is approved."""
    parent = ana_comment(app, client)
    reply = add_comment(client, replier, parent_id=parent)
    approve(app, reply)
    return parent


def ana_comment(app, client) -> int:
    """Ana's approved comment; the first call creates it with the notify box ticked."""
    with app.app_context():
        found = db.session.scalar(select(Comment.id).where(Comment.email == ANA["email"]).order_by(Comment.id))
    if found:
        return found
    found = add_comment(client, ANA, notify=True)
    approve(app, found)
    return found


def reply_mails(smtp) -> list:
    return [m for m in smtp.messages if "replied to your comment" in m["Subject"]]


def one_click(client, url: str):
    """What a mailbox provider POSTs to the List-Unsubscribe URL (RFC 8058): this body, no cookies, no CSRF."""
    return client.post(url, data=ONE_CLICK, content_type="application/x-www-form-urlencoded")


def outbox_to_ana(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "comment_reply"))
        return [(row.status, row.last_error or "") for row in rows]


def test_a_reply_mail_carries_the_stop_link_and_one_click_headers(app, client, smtp, deliver, post):
    reply_to_ana(app, client, BO)
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


def test_one_click_stops_the_next_reply_mail(app, client, smtp, deliver, post):
    reply_to_ana(app, client, BO)
    deliver()
    url = reply_mails(smtp)[0]["List-Unsubscribe"][1:-1]

    stopped = one_click(app.test_client(), url)
    assert stopped.status_code == 200
    assert "No more reply emails" in stopped.get_data(as_text=True)

    smtp.handler.reset()
    reply_to_ana(app, client, CY)
    deliver()
    assert reply_mails(smtp) == []
    assert outbox_to_ana(app) == [("sent", "")]  # the second reply queued nothing


def test_the_page_shows_one_button_and_a_get_changes_nothing(app, client, smtp, deliver, post):
    reply_to_ana(app, client, BO)
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
    reply_to_ana(app, client, CY)
    deliver()
    assert reply_mails(smtp) == []


def test_a_reply_already_queued_is_cancelled_when_the_commenter_stops(app, client, smtp, deliver, post):
    reply_to_ana(app, client, BO)
    deliver()
    url = reply_mails(smtp)[0]["List-Unsubscribe"][1:-1]
    reply_to_ana(app, client, CY)  # queued, not yet sent
    assert one_click(app.test_client(), url).status_code == 200
    smtp.handler.reset()
    deliver()
    assert reply_mails(smtp) == []
    assert sorted(outbox_to_ana(app)) == [("cancelled", "cancelled before sending"), ("sent", "")]


def test_the_worker_checks_the_stop_at_send_time(app, client, smtp, deliver, post):
    reply_to_ana(app, client, BO)
    # The stop lands after the reply was queued (another process, between claim and send).
    with app.app_context():
        insert_if_absent(ReplyNotificationStop, {"email_sha256": address_sha256(ANA["email"])}, ["email_sha256"])
        db.session.commit()
    deliver()
    assert reply_mails(smtp) == []
    assert outbox_to_ana(app) == [("cancelled", "the commenter stopped reply notifications")]


def test_stopping_replies_leaves_other_commenters_mail_alone(app, client, smtp, deliver, post):
    reply_to_ana(app, client, BO)
    deliver()
    one_click(app.test_client(), reply_mails(smtp)[0]["List-Unsubscribe"][1:-1])
    bo_comment = add_comment(client, {**BO, "body": "Ana, what helped you most?"}, notify=True)
    approve(app, bo_comment)
    approve(app, add_comment(client, {**ANA, "body": "Mostly patience."}, parent_id=bo_comment))
    smtp.handler.reset()
    deliver()
    assert [m["To"].addresses[0].addr_spec for m in reply_mails(smtp)] == ["bo@example.com"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_outdated_stop_link_is_refused_and_stops_nothing(app, client, smtp, deliver, post, method):
    parent = reply_to_ana(app, client, BO)
    deliver()
    path = reply_mails(smtp)[0]["List-Unsubscribe"][1:-1].removeprefix("http://leadgen.test")
    with app.app_context():
        wrong_address = sign("comment-replies-stop", {"comment": parent, "check": address_check("x@example.com")})
        other_purpose = sign("unsubscribe", {"comment": parent, "check": address_check(ANA["email"])})
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
