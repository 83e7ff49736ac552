"""Who is trusted and which rules hold: auto-approval on name and address, the same rules for
the form and the API, a form that posts once."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from leadgen.blog.models import Comment, UsedFormToken
from leadgen.database import utcnow
from leadgen.extensions import db

from .helpers import HIDDEN_PATTERN, SLUG, count
from .test_comments import ANA, approve, comments, open_form, post_comment

API = f"/api/v1/posts/{SLUG}/comments"


@pytest.fixture
def known_ana(app, client, post):
    """Ana has an approved comment: her name and address are trusted."""
    approve(app, client.post(API, json=ANA).get_json()["id"])


def send(client, channel: str, data: dict) -> tuple[int, str | None]:
    """Post a comment through the page or the API; (HTTP status, stored status of the newest comment)."""
    response = post_comment(client, SLUG, data) if channel == "form" else client.post(API, json=data)
    stored = comments(client.application)
    return response.status_code, stored[-1].status if stored else None


@pytest.mark.parametrize("channel", ["form", "api"])
def test_a_known_name_and_address_is_approved_at_once(app, client, known_ana, channel):
    code, status = send(client, channel, {**ANA, "name": "  ana ", "body": "One more question."})
    assert code in (202, 303) and status == "approved"
    assert "One more question." in app.test_client().get(f"/blog/{SLUG}").get_data(as_text=True)


@pytest.mark.parametrize("channel", ["form", "api"])
def test_a_known_address_under_another_name_waits_for_moderation(app, client, known_ana, channel):
    # Someone who knows or guesses Ana's address, under their own name, is a stranger.
    code, status = send(client, channel, {**ANA, "name": "Buy Now", "body": "Great article, see my profile."})
    assert code in (202, 303) and status == "pending"
    assert "see my profile" not in app.test_client().get(f"/blog/{SLUG}").get_data(as_text=True)


@pytest.mark.parametrize("channel", ["form", "api"])
def test_a_known_commenters_link_waits_for_moderation(app, client, known_ana, channel):
    code, status = send(client, channel, {**ANA, "body": "This study helped me: https://example.org/study"})
    assert code in (202, 303) and status == "pending"
    assert comments(app)[-1].moderation_note == "known commenter, 1 link"


def test_a_pending_or_spam_comment_earns_no_trust(make_app, post):
    app = make_app(COMMENT_DISALLOWED_WORDS=["casino"])
    client = app.test_client()
    assert client.post(API, json=ANA).get_json()["status"] == "pending"
    assert client.post(API, json={**ANA, "body": "casino"}).get_json()["status"] == "spam"
    assert client.post(API, json={**ANA, "body": "And another thing."}).get_json()["status"] == "pending"


# Each spam rule gives the same answer whether the comment comes from the page or the API.
RULES = [
    ({"COMMENT_DISALLOWED_WORDS": ["casino"]}, {"body": "Best CASINO bonus"}, "spam", "disallowed word: casino"),
    ({"COMMENT_DISALLOWED_WORDS": ["casino"]}, {"website": "casino.example"}, "spam", "disallowed word: casino"),
    ({"COMMENT_DISALLOWED_WORDS": ["cheap pills"]}, {"name": "Cheap Pills"}, "spam", "disallowed word: cheap pills"),
    ({"COMMENT_MAX_LINKS": 1}, {"body": "https://a.example and www.b.example"}, "pending", "2 links"),
    (
        {"COMMENT_MAX_LINKS": 1, "COMMENT_TOO_MANY_LINKS": "spam"},
        {"body": 'https://a.example <a href="x">b</a>'},
        "spam",
        "2 links",
    ),
]


@pytest.mark.parametrize("channel", ["form", "api"])
@pytest.mark.parametrize(("config", "changes", "status", "note"), RULES)
def test_the_form_and_the_api_apply_the_same_word_and_link_rules(
    make_app, post, channel, config, changes, status, note
):
    app = make_app(**config)
    code, stored = send(app.test_client(), channel, {**ANA, **changes})
    assert code in (202, 303)
    assert stored == status
    assert comments(app)[-1].moderation_note == note


@pytest.mark.parametrize(("first", "second"), [("form", "api"), ("api", "form")])
def test_a_repeat_is_refused_whichever_way_each_copy_came(app, client, post, first, second):
    assert send(client, first, ANA)[0] in (202, 303)
    code, _ = send(client, second, ANA)
    assert code == 422
    assert count(app, Comment) == 1


def test_the_form_and_the_api_share_one_flood_budget(make_app, post):
    app = make_app(RATELIMIT_ENABLED=True, COMMENT_POST_LIMIT="2/minute")
    client = app.test_client()
    assert post_comment(client, SLUG, {**ANA, "body": "From the page"}).status_code == 303
    assert client.post(API, json={**ANA, "body": "From the website"}).status_code == 202
    flooded = client.post(API, json={**ANA, "body": "One too many"})
    assert flooded.status_code == 429
    assert count(app, Comment) == 2


def test_a_form_posts_once(app, client, post):
    form = open_form(client, SLUG)
    first = client.post(f"/blog/{SLUG}/comments", data={**form, **ANA})
    assert first.status_code == 303
    # The same page sent again (a replay, or a script reusing one token) with other words.
    again = client.post(f"/blog/{SLUG}/comments", data={**form, **ANA, "body": "Something else entirely."})
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "This form was already sent once." in page
    assert "Something else entirely." in page  # the words are kept in the form to send again
    assert count(app, Comment) == 1
    # The page it shows carries a fresh form that does work.
    fresh = dict(HIDDEN_PATTERN.findall(page))
    assert fresh["form_token"] != form["form_token"]
    with time_machine.travel(utcnow() + timedelta(seconds=10)):
        resent = client.post(f"/blog/{SLUG}/comments", data={**fresh, **ANA, "body": "Something else entirely."})
    assert resent.status_code == 303
    assert count(app, Comment) == 2


def test_a_refused_comment_leaves_its_form_usable(app, client, post):
    form = open_form(client, SLUG)
    refused = client.post(f"/blog/{SLUG}/comments", data={**form, **ANA, "parent_id": "12345"})
    assert refused.status_code == 422
    assert client.post(f"/blog/{SLUG}/comments", data={**form, **ANA}).status_code == 303
    assert count(app, Comment) == 1


def test_used_form_markers_are_purged_once_their_forms_expire(app, client, post):
    assert post_comment(client, SLUG, ANA).status_code == 303
    with app.app_context():
        [marker] = db.session.scalars(select(UsedFormToken)).all()
        assert marker.expires_at > utcnow() + timedelta(hours=23)
    with time_machine.travel(utcnow() + timedelta(days=2)):
        assert post_comment(client, SLUG, {**ANA, "body": "Two days later."}).status_code == 303
        with app.app_context():
            assert count(app, UsedFormToken) == 1  # only the newest form's marker is left
