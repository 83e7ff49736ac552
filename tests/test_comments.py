"""'Leave a reply': posting, the author's own pending comment, threading, auto-approval, spam rules."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from leadgen.blog.models import Comment
from leadgen.database import utcnow
from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage

from .helpers import HIDDEN_PATTERN, SLUG, count, csrf_token_from, make_post, staff_token

ANA = {"name": "Ana", "email": "ana@example.com", "body": "Thank you, this helped me understand my test results."}


def open_form(client, slug: str, query: str = "", seconds_ago: float = 10) -> dict:
    """The hidden fields of "Leave a reply" (CSRF and form token) as the article showed them `seconds_ago`."""
    # The page is opened in the past rather than sent in the future: signed cookies from
    # the future would be refused by the next request.
    with time_machine.travel(utcnow() - timedelta(seconds=seconds_ago), tick=False):
        page = client.get(f"/blog/{slug}{query}")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    return {**dict(HIDDEN_PATTERN.findall(html)), "csrf_token": csrf_token_from(html)}


def post_comment(client, slug: str, data: dict, query: str = "", seconds_later: float = 10):
    """Open the article, fill in "Leave a reply" and send it `seconds_later`, as a person would."""
    return client.post(f"/blog/{slug}/comments", data={**open_form(client, slug, query, seconds_later), **data})


def comments(app) -> list[Comment]:
    with app.app_context():
        found = db.session.scalars(select(Comment).order_by(Comment.id)).all()
        db.session.expunge_all()
        return list(found)


def approve(app, comment_id: int) -> None:
    from leadgen.blog.service import find_comment, moderate

    with app.app_context():
        moderate(find_comment(comment_id), "approved")


def test_comment_waits_for_moderation_and_only_its_author_sees_it(app, client, post):
    response = post_comment(client, SLUG, ANA)
    assert response.status_code == 303
    [comment] = comments(app)
    assert comment.status == "pending"
    assert response.location.endswith(f"/blog/{SLUG}#comment-{comment.id}")

    mine = client.get(f"/blog/{SLUG}").get_data(as_text=True)
    assert "Your comment is awaiting moderation" in mine
    assert ANA["body"] in mine
    assert "ana@example.com" not in mine  # the email is never published

    stranger = app.test_client().get(f"/blog/{SLUG}").get_data(as_text=True)
    assert ANA["body"] not in stranger
    assert "No comments yet" in stranger

    approve(app, comment.id)
    stranger = app.test_client().get(f"/blog/{SLUG}").get_data(as_text=True)
    assert ANA["body"] in stranger and "awaiting moderation" not in stranger


def test_staff_moderate_through_the_api(app, client, post):
    headers = staff_token(app, role="marketing")
    created = client.post(f"/api/v1/posts/{SLUG}/comments", json=ANA)
    assert created.status_code == 202
    assert created.get_json()["status"] == "pending"
    comment_id = created.get_json()["id"]

    assert client.get("/api/v1/comments?status=pending").status_code == 401
    queue = client.get("/api/v1/comments?status=pending", headers=headers)
    assert queue.status_code == 200
    [listed] = queue.get_json()
    assert (listed["id"], listed["post_slug"], listed["email"]) == (comment_id, SLUG, "ana@example.com")

    refused = client.patch(f"/api/v1/comments/{comment_id}", json={"status": "published"}, headers=headers)
    assert refused.status_code == 422 and "status" in refused.get_json()["errors"]
    assert client.patch("/api/v1/comments/999", json={"status": "spam"}, headers=headers).status_code == 404
    assert client.patch(f"/api/v1/comments/{comment_id}", json={"status": "approved"}).status_code == 401

    approved = client.patch(f"/api/v1/comments/{comment_id}", json={"status": "approved"}, headers=headers)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert client.get("/api/v1/comments?status=pending", headers=headers).get_json() == []
    assert ANA["body"] in app.test_client().get(f"/blog/{SLUG}").get_data(as_text=True)
    [summary] = client.get("/api/v1/posts").get_json()
    assert summary["comment_count"] == 1


def test_a_known_commenter_is_approved_at_once(app, client, post):
    first = client.post(f"/api/v1/posts/{SLUG}/comments", json=ANA).get_json()
    approve(app, first["id"])
    response = post_comment(client, SLUG, {**ANA, "email": "ANA@example.com ", "body": "One more question."})
    assert response.status_code == 303
    assert comments(app)[-1].status == "approved"
    assert "One more question." in app.test_client().get(f"/blog/{SLUG}").get_data(as_text=True)
    assert "is published" in client.get(response.location).get_data(as_text=True)


def test_reply_link_works_without_javascript_and_threads_the_reply(app, client, post):
    first = client.post(f"/api/v1/posts/{SLUG}/comments", json=ANA).get_json()["id"]
    approve(app, first)
    page = client.get(f"/blog/{SLUG}").get_data(as_text=True)
    assert f'href="/blog/{SLUG}?replytocom={first}#respond"' in page

    reply_form = client.get(f"/blog/{SLUG}?replytocom={first}").get_data(as_text=True)
    assert "Reply to Ana" in reply_form
    assert f'<input type="hidden" name="parent_id" value="{first}">' in reply_form

    bo = {"name": "Bo", "email": "bo@example.com", "body": "Same here."}
    assert post_comment(client, SLUG, bo, query=f"?replytocom={first}").status_code == 303
    reply = comments(app)[-1]
    assert (reply.parent_id, reply.depth) == (first, 1)
    approve(app, reply.id)
    page = app.test_client().get(f"/blog/{SLUG}").get_data(as_text=True)
    # The reply sits in a list inside Ana's comment.
    ana_item = page[page.index(f'id="comment-{first}"') :]
    assert ana_item.index('class="comment-list"') < ana_item.index(f'id="comment-{reply.id}"')


def test_threads_stop_at_the_depth_limit(app, client, post):
    parent = None
    ids = []
    for level in range(4):
        data = {"name": f"Reader {level}", "email": f"r{level}@example.com", "body": f"Level {level}"}
        created = client.post(f"/api/v1/posts/{SLUG}/comments", json={**data, "parent_id": parent})
        assert created.status_code == 202
        parent = created.get_json()["id"]
        ids.append(parent)
        approve(app, parent)
    depths = [comment.depth for comment in comments(app)]
    assert depths == [0, 1, 2, 2]  # COMMENT_MAX_DEPTH=3: the fourth joins the third's thread
    assert comments(app)[3].parent_id == ids[1]
    page = client.get(f"/blog/{SLUG}").get_data(as_text=True)
    assert f"replytocom={ids[1]}" in page
    assert f"replytocom={ids[2]}" not in page and f"replytocom={ids[3]}" not in page


def test_a_reply_to_a_comment_of_another_article_is_refused(app, client, post):
    make_post(app, "other-article")
    elsewhere = client.post("/api/v1/posts/other-article/comments", json=ANA).get_json()["id"]
    approve(app, elsewhere)
    bo = {"name": "Bo", "email": "bo@example.com", "body": "Hi", "parent_id": str(elsewhere)}
    response = post_comment(client, SLUG, bo)
    assert response.status_code == 422
    assert "not on this article" in response.get_data(as_text=True)
    api = client.post(f"/api/v1/posts/{SLUG}/comments", json={**bo, "parent_id": elsewhere})
    assert api.status_code == 422 and "parent_id" in api.get_json()["errors"]
    assert count(app, Comment) == 1


def test_a_reply_to_an_unpublished_comment_is_refused(app, client, post):
    pending = client.post(f"/api/v1/posts/{SLUG}/comments", json=ANA).get_json()["id"]
    bo = {"name": "Bo", "email": "bo@example.com", "body": "Hi", "parent_id": pending}
    response = client.post(f"/api/v1/posts/{SLUG}/comments", json=bo)
    assert response.status_code == 422
    assert count(app, Comment) == 1


def test_a_reply_to_a_number_beyond_any_id_is_a_field_message_not_an_error(app, client, post):
    huge = "99999999999999999999"
    bo = {"name": "Bo", "email": "bo@example.com", "body": "Hi", "parent_id": huge}
    response = post_comment(client, SLUG, bo)
    assert response.status_code == 422
    assert "Choose the comment to reply to from its Reply link." in response.get_data(as_text=True)
    api = client.post(f"/api/v1/posts/{SLUG}/comments", json={**bo, "parent_id": int(huge)})
    assert api.status_code == 422 and "parent_id" in api.get_json()["errors"]
    assert client.get(f"/blog/{SLUG}?replytocom={huge}").status_code == 200
    assert count(app, Comment) == 0


def test_unknown_article_is_404_and_stores_nothing(app, client, post):
    page = post_comment(client, SLUG, ANA)
    assert page.status_code == 303
    html = client.get(f"/blog/{SLUG}").get_data(as_text=True)
    response = client.post("/blog/no-such-article/comments", data={**ANA, "csrf_token": csrf_token_from(html)})
    assert response.status_code == 404
    assert client.post("/api/v1/posts/no-such-article/comments", json=ANA).status_code == 404
    assert count(app, Comment) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"body": "   "}, "body", "Write your comment."),
        ({"body": "x" * 5001}, "body", "Keep your comment under 5000 characters"),
        ({"name": ""}, "name", "Enter your name."),
        ({"email": "ana@"}, "email", "Enter an email address like name@example.com"),
        ({"parent_id": "abc"}, "parent_id", "Choose the comment to reply to"),
    ],
    ids=["empty", "oversized", "no-name", "bad-email", "bad-parent"],
)
def test_invalid_comment_is_shown_again_with_messages_and_nothing_stored(app, client, post, changes, field, message):
    response = post_comment(client, SLUG, {**ANA, **changes})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page or field == "parent_id"
    if field != "name":
        assert 'value="Ana"' in page  # what was typed is kept
    api = client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, **changes})
    assert api.status_code == 422 and field in api.get_json()["errors"]
    assert count(app, Comment) == 0


def test_a_form_without_csrf_token_is_refused(app, client, post):
    response = client.post(f"/blog/{SLUG}/comments", data=ANA)
    assert response.status_code == 400
    assert count(app, Comment) == 0


def test_honeypot_looks_accepted_but_stores_nothing(app, client, post):
    response = post_comment(client, SLUG, {**ANA, "company": "Cheap Pills Ltd"})
    assert response.status_code == 303
    assert "awaiting moderation" in client.get(response.location).get_data(as_text=True)
    assert count(app, Comment) == 0


@pytest.mark.parametrize(
    ("seconds", "message"),
    [(1, "quicker than anyone can type"), (2 * 86400, "open for too long")],
    ids=["too-fast", "too-old"],
)
def test_the_signed_form_time_refuses_posts_too_fast_or_too_late(app, client, post, seconds, message):
    response = post_comment(client, SLUG, ANA, seconds_later=seconds)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Comment) == 0


def test_a_forged_or_missing_form_time_is_refused(app, client, post):
    assert post_comment(client, SLUG, {**ANA, "form_token": "forged"}).status_code == 422
    assert post_comment(client, SLUG, {**ANA, "form_token": ""}).status_code == 422
    assert count(app, Comment) == 0


def test_the_same_comment_twice_is_refused_with_a_clear_message(app, client, post):
    assert post_comment(client, SLUG, ANA).status_code == 303
    again = post_comment(client, SLUG, {**ANA, "email": "Ana@Example.com"})
    assert again.status_code == 422
    assert "already posted this comment" in again.get_data(as_text=True)
    assert count(app, Comment) == 1


LINKS = "See https://a.example/1 and https://b.example/2 and www.c.example"


def test_links_send_a_known_commenter_back_to_moderation(app, client, post):
    approve(app, client.post(f"/api/v1/posts/{SLUG}/comments", json=ANA).get_json()["id"])
    created = client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": LINKS})
    assert created.get_json()["status"] == "pending"
    assert comments(app)[-1].moderation_note == "3 links"
    # Within the limit a stranger's comment with links waits anyway; a known commenter's does too.
    two = client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": "https://a.example https://b.example"})
    assert two.get_json()["status"] == "pending"
    assert comments(app)[-1].moderation_note == "known commenter, 2 links"


def test_many_links_can_be_set_to_mean_spam(make_app, post):
    app = make_app(COMMENT_TOO_MANY_LINKS="spam", COMMENT_MAX_LINKS=1)
    client = app.test_client()
    created = client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": "https://a.example https://b.example"})
    assert created.get_json()["status"] == "spam"


def test_disallowed_words_mean_spam_and_the_author_is_not_shown_it(make_app, post):
    app = make_app(COMMENT_DISALLOWED_WORDS=["casino", "cheap pills"])
    client = app.test_client()
    response = post_comment(client, SLUG, {**ANA, "body": "Visit my CASINO today", "consent": "y"})
    assert response.status_code == 303
    [comment] = comments(app)
    assert (comment.status, comment.moderation_note) == ("spam", "disallowed word: casino")
    assert "Visit my CASINO" not in client.get(f"/blog/{SLUG}").get_data(as_text=True)
    assert count(app, Lead) == 0  # a spammer never becomes a lead
    by_name = client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "name": "Cheap Pills", "body": "Nice"})
    assert by_name.get_json()["status"] == "spam"
    # Whole words only: "casinos" is another word, "pills" alone is fine.
    fine = client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": "No casinos, just pills"})
    assert fine.get_json()["status"] == "pending"


def test_a_flood_from_one_ip_gets_429(make_app, post):
    app = make_app(RATELIMIT_ENABLED=True, COMMENT_POST_LIMIT="2/minute")
    client = app.test_client()
    for number in range(2):
        response = client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": f"Comment {number}"})
        assert response.status_code == 202
    flooded = client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": "Comment 3"})
    assert flooded.status_code == 429
    page = post_comment(client, SLUG, {**ANA, "body": "Comment 4"})
    assert page.status_code == 429 and "Too many attempts" in page.get_data(as_text=True)
    assert count(app, Comment) == 2


def test_comment_text_is_shown_as_text_with_nofollow_links(app, client, post):
    body = 'Read <b>this</b>: https://example.org/study?a=1&b=2.\nSecond line\n\nNew paragraph <a href="x">'
    created = client.post(
        f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": body, "website": "javascript:alert(1)"}
    ).get_json()
    approve(app, created["id"])
    page = client.get(f"/blog/{SLUG}").get_data(as_text=True)
    assert "Read &lt;b&gt;this&lt;/b&gt;:" in page
    link = '<a href="https://example.org/study?a=1&amp;b=2" rel="nofollow ugc noopener">'
    assert link in page
    assert "2</a>.<br>" in page and "<p>New paragraph &lt;a href=&#34;x&#34;&gt;</p>" in page
    assert comments(app)[0].website is None  # not http(s): dropped
    assert "javascript:" not in page


def test_the_commenters_website_links_their_name(app, client, post):
    created = client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "website": "ana.example"}).get_json()
    approve(app, created["id"])
    page = client.get(f"/blog/{SLUG}").get_data(as_text=True)
    assert '<a href="https://ana.example" rel="nofollow ugc noopener">Ana</a>' in page


def test_a_commenter_who_ticks_the_box_becomes_a_lead_with_follow_ups(app, client, post):
    assert post_comment(client, SLUG, {**ANA, "consent": "y"}).status_code == 303
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.email, lead.source, lead.marketing_consent) == ("ana@example.com", "comment", True)
        assert lead.consents[0].ip_address == "127.0.0.1"
        assert db.session.scalars(select(Comment)).one().lead_id == lead.id
        follow_ups = db.session.scalars(select(OutboxMessage).where(OutboxMessage.category == "marketing")).all()
        assert [m.template for m in follow_ups] == ["followup_comment_1", "followup_comment_2"]


def test_a_commenter_who_does_not_tick_the_box_is_not_a_lead_and_gets_no_marketing(app, client, post):
    assert post_comment(client, SLUG, {**ANA, "notify": "y"}).status_code == 303
    assert count(app, Lead) == 0
    with app.app_context():
        marketing = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.category == "marketing")
        )
        assert marketing == 0


def test_anonymise_comments_blanks_the_personal_fields(app, client, post):
    from leadgen.blog.service import anonymise_comments

    client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "website": "https://ana.example", "notify": True})
    client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": "Second"})
    client.post(f"/api/v1/posts/{SLUG}/comments", json={"name": "Bo", "email": "bo@example.com", "body": "Hi"})
    with app.app_context():
        assert anonymise_comments(" ANA@example.com") == 2
        db.session.commit()
    ana, second, bo = comments(app)
    assert (ana.name, ana.email, ana.website, ana.notify) == ("Anonymous", None, None, False)
    assert ana.body == ANA["body"] and second.name == "Anonymous"
    assert (bo.name, bo.email) == ("Bo", "bo@example.com")


def test_pending_comment_count(app, client, post):
    from leadgen.blog.service import pending_comment_count

    client.post(f"/api/v1/posts/{SLUG}/comments", json=ANA)
    approve(app, client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": "b"}).get_json()["id"])
    client.post(f"/api/v1/posts/{SLUG}/comments", json={**ANA, "body": "c"})
    with app.app_context():
        assert pending_comment_count() == 1  # "c" was approved automatically after "b"


def test_form_lists_every_field_and_the_boxes_start_unticked(app, client, post):
    page = client.get(f"/blog/{SLUG}").get_data(as_text=True)
    for name in ("name", "email", "website", "body", "parent_id", "form_token", "notify", "consent"):
        assert f'name="{name}"' in page
    assert "Never published." in page
    assert "Save my name, email and website in this browser" in page
    assert not re.search(r'<input[^>]*(id="consent"|id="remember"|id="notify")[^>]*checked', page)


def test_staff_endpoints_check_the_token_before_the_body(app, client):
    assert client.patch("/api/v1/comments/1", json={"status": "nonsense"}).status_code == 401
    assert client.get("/api/v1/comments?status=nonsense").status_code == 401
    headers = staff_token(app, role="marketing")
    assert client.get("/api/v1/comments?status=nonsense", headers=headers).status_code == 422


def test_a_depth_limit_of_one_turns_threads_off(make_app, post):
    app = make_app(COMMENT_MAX_DEPTH=1)
    client = app.test_client()
    first = client.post(f"/api/v1/posts/{SLUG}/comments", json=ANA).get_json()["id"]
    approve(app, first)
    assert "replytocom=" not in client.get(f"/blog/{SLUG}").get_data(as_text=True)
    bo = {"name": "Bo", "email": "bo@example.com", "body": "Hi", "parent_id": first}
    assert client.post(f"/api/v1/posts/{SLUG}/comments", json=bo).status_code == 202
    assert [(c.parent_id, c.depth) for c in comments(app)] == [(None, 0), (None, 0)]
