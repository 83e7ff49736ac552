"""Moderation at /admin/comments, and the mail comments cause: to staff and to commenters who opted in."""

from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.outbox.models import OutboxMessage
from leadgen.staff.service import create_staff_user

from .helpers import SLUG, STAFF_PASSWORD, csrf_token_from, html_part, text_part, work_once
from .test_comments import ANA, approve, comments, post_comment

BO = {"name": "Bo", "email": "bo@example.com", "body": "I had the same experience."}


def add_comment(client, data: dict, **extra) -> int:
    response = client.post(f"/api/v1/posts/{SLUG}/comments", json={**data, **extra})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def test_moderation_needs_a_signed_in_staff_member(app, client, post):
    response = client.get("/admin/comments")
    assert response.status_code == 302 and "/admin/login" in response.location
    comment_id = add_comment(client, ANA)
    token = csrf_token_from(client.get(f"/blog/{SLUG}").get_data(as_text=True))
    response = client.post("/admin/comments", data={"ids": str(comment_id), "status": "approved", "csrf_token": token})
    assert response.status_code == 302 and "/admin/login" in response.location
    assert comments(app)[0].status == "pending"


def test_tabs_show_counts_and_helpful_empty_states(app, client, post, auth):
    auth.sign_in(role="marketing")
    page = client.get("/admin/comments").get_data(as_text=True)
    assert "Nothing waits for moderation" in page
    assert client.get("/admin/comments?status=spam").get_data(as_text=True).count("No spam") == 1
    assert "The trash is empty" in client.get("/admin/comments?status=trash").get_data(as_text=True)
    add_comment(client, ANA)
    add_comment(client, BO)
    page = client.get("/admin/comments").get_data(as_text=True)
    assert 'Pending <span class="badge">2</span>' in page
    assert 'Approved <span class="badge">0</span>' in page
    assert "ana@example.com" in page and "Gut health and the immune system" in page


def test_staff_approve_a_reply_seen_in_context_and_the_reader_sees_it(app, client, post, auth):
    first = add_comment(client, ANA)
    approve(app, first)
    reply = add_comment(client, BO, parent_id=first)
    auth.sign_in(role="marketing")
    page = client.get("/admin/comments").get_data(as_text=True)
    token = csrf_token_from(page)
    assert "in reply to <strong>Ana</strong>" in page
    assert ANA["body"] in page and BO["body"] in page

    response = client.post("/admin/comments", data={"one": f"{reply}:approved", "tab": "pending", "csrf_token": token})
    assert response.status_code == 303 and response.location.endswith("/admin/comments?status=pending")
    assert "1 comment approved." in client.get(response.location).get_data(as_text=True)
    assert BO["body"] in app.test_client().get(f"/blog/{SLUG}").get_data(as_text=True)


def test_bulk_actions_move_several_comments(app, client, post, auth):
    ids = [add_comment(client, {**ANA, "body": f"Comment {n}"}) for n in range(3)]
    auth.sign_in(role="marketing")
    token = csrf_token_from(client.get("/admin/comments").get_data(as_text=True))
    data = {"ids": [str(ids[0]), str(ids[1])], "status": "spam", "tab": "pending", "csrf_token": token}
    response = client.post("/admin/comments", data=data)
    assert "2 comments marked as spam." in client.get(response.location).get_data(as_text=True)
    assert [c.status for c in comments(app)] == ["spam", "spam", "pending"]
    data = {"ids": [str(ids[0])], "status": "trash", "tab": "spam", "csrf_token": token}
    client.post("/admin/comments", data=data)
    assert [c.status for c in comments(app)] == ["trash", "spam", "pending"]
    nothing = client.post("/admin/comments", data={"status": "approved", "tab": "pending", "csrf_token": token})
    assert "Tick at least one comment first." in client.get(nothing.location).get_data(as_text=True)
    huge = {"ids": ["99999999999999999999"], "status": "approved", "tab": "pending", "csrf_token": token}
    assert "Tick at least one comment first." in client.get(
        client.post("/admin/comments", data=huge).location
    ).get_data(as_text=True)
    assert client.get("/admin/comments?status=spam&page=99999999999999999999").status_code == 200


def test_moderation_form_needs_its_csrf_token(app, client, post, auth):
    comment_id = add_comment(client, ANA)
    auth.sign_in(role="marketing")
    assert client.post("/admin/comments", data={"ids": str(comment_id), "status": "approved"}).status_code == 400
    assert comments(app)[0].status == "pending"


def test_staff_get_one_mail_per_pending_comment(make_app, smtp, post):
    app = make_app(COMMENT_NOTIFY="each", COMMENT_NOTIFY_TO=["mod@clinic.example", "editor@clinic.example"])
    client = app.test_client()
    comment_id = add_comment(client, {**ANA, "body": "Line one\n<b>not bold</b>"})
    work_once(app)
    assert sorted(m["To"] for m in smtp.messages) == ["editor@clinic.example", "mod@clinic.example"]
    mail = smtp.messages[0]
    assert "New comment to moderate" in mail["Subject"]
    body = text_part(mail)
    assert (
        "<b>not bold</b>" in body and f"http://leadgen.test/admin/comments?status=pending#comment-{comment_id}" in body
    )


def test_the_digest_gathers_the_hours_pending_comments_in_one_mail(make_app, smtp, post):
    app = make_app(COMMENT_NOTIFY="digest", COMMENT_NOTIFY_TO=["mod@clinic.example"])
    client = app.test_client()
    with time_machine.travel(datetime(2026, 11, 24, 15, 10, tzinfo=UTC), tick=False):
        approve(app, add_comment(client, ANA))
        add_comment(client, BO)
        add_comment(client, {**ANA, "body": "Approved at once: not in the digest"})
        work_once(app)
    assert smtp.messages == []  # the digest waits for the top of the hour
    with time_machine.travel(datetime(2026, 11, 24, 16, 0, 5, tzinfo=UTC), tick=False):
        add_comment(client, {**BO, "body": "Next hour"})
        work_once(app)
    [digest] = smtp.messages
    assert digest["Subject"] == "2 new comments to moderate"
    body = text_part(digest)
    assert ANA["body"] in body and BO["body"] in body
    assert "Next hour" not in body and "Approved at once" not in body
    with time_machine.travel(datetime(2026, 11, 24, 17, 0, 5, tzinfo=UTC), tick=False):
        work_once(app)
    assert [m["Subject"] for m in smtp.messages][1:] == ["1 new comment to moderate"]


def test_no_staff_mail_when_notifications_are_off(make_app, post):
    app = make_app(COMMENT_NOTIFY="off", COMMENT_NOTIFY_TO=["mod@clinic.example"])
    add_comment(app.test_client(), ANA)
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_commenter_who_opted_in_hears_of_approval_and_replies(app, client, smtp, deliver, post):
    assert post_comment(client, SLUG, {**ANA, "notify": "y"}).status_code == 303
    [comment] = comments(app)
    approve(app, comment.id)
    add_comment(app.test_client(), BO, parent_id=comment.id)
    approve(app, comments(app)[-1].id)
    deliver()
    by_subject = {m["Subject"]: m for m in smtp.messages}
    assert set(by_subject) == {
        'Your comment on "Gut health and the immune system" is published',
        'Bo replied to your comment on "Gut health and the immune system"',
    }
    reply_mail = by_subject['Bo replied to your comment on "Gut health and the immune system"']
    assert reply_mail["To"].addresses[0].addr_spec == "ana@example.com"
    assert BO["body"] in text_part(reply_mail)
    assert "when someone replies to your comment" in " ".join(text_part(reply_mail).split())
    assert "when someone replies to your comment" in html_part(reply_mail)
    assert "Hello Ana," in text_part(reply_mail)


def test_a_commenter_who_did_not_opt_in_gets_no_mail(app, client, smtp, deliver, post):
    first = add_comment(client, ANA)
    approve(app, first)
    approve(app, add_comment(client, BO, parent_id=first))
    deliver()
    assert smtp.messages == []


def test_the_comment_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "202" in paths["/api/v1/posts/{slug}/comments"]["post"]["responses"]
    assert paths["/api/v1/comments/{comment_id}"]["patch"]["security"] == [{"bearerAuth": []}]
    assert "get" in paths["/api/v1/posts"] and "get" in paths["/api/v1/comments"]


def test_spam_is_visible_to_staff_as_text(app, client, post, auth):
    add_comment(client, {**ANA, "name": "<script>alert(1)</script>", "body": "<img src=x onerror=alert(1)>"})
    auth.sign_in(role="marketing")
    page = client.get("/admin/comments").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_long_queue_is_shown_fifty_at_a_time_oldest_first(app, client, post, auth):
    ids = [add_comment(client, {**BO, "email": f"r{n}@example.com", "body": f"Comment number {n}."}) for n in range(55)]
    auth.sign_in(role="marketing")
    first = client.get("/admin/comments").get_data(as_text=True)
    assert first.count('name="ids"') == 50 and "Page 1 of 2" in first
    assert first.index(f'id="comment-{ids[0]}"') < first.index(f'id="comment-{ids[49]}"')
    second = client.get("/admin/comments?status=pending&page=2").get_data(as_text=True)
    assert second.count('name="ids"') == 5 and f'id="comment-{ids[54]}"' in second


def test_without_a_notify_address_every_active_staff_member_hears(app, client, smtp, deliver, post):
    with app.app_context():
        create_staff_user("editor@clinic.example", STAFF_PASSWORD, "marketing")
        gone = create_staff_user("former@clinic.example", STAFF_PASSWORD, "marketing")
        gone.active = False
        db.session.commit()
    add_comment(client, ANA)
    deliver()
    assert [m["To"] for m in smtp.messages] == ["editor@clinic.example"]


def test_comment_mail_waits_in_the_outbox_without_the_persons_name_or_words(make_app, smtp, post):
    from leadgen.blog.service import anonymise_comments

    app = make_app(COMMENT_NOTIFY_TO=["mod@clinic.example"])
    add_comment(app.test_client(), {**ANA, "name": "Ana Lopez"})
    with app.app_context():
        [queued] = db.session.scalars(select(OutboxMessage)).all()
        assert "Ana Lopez" not in str(queued.context) and ANA["body"] not in str(queued.context)
        anonymise_comments(ANA["email"])
        db.session.commit()
    work_once(app)
    [mail] = smtp.messages
    assert "Anonymous left a comment" in text_part(mail) and "Ana Lopez" not in mail.as_string()
    assert "Anonymous</strong> left a comment" in html_part(mail)
