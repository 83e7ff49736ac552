"""A typo'd mail provider ("gmial.com") is caught on every public form before anything is
stored; the visitor takes the suggestion or keeps what they typed; the thank-you page names the
address and "Fix it" brings the form back filled in."""

import pytest
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.leads.typos import suggested_address

from .helpers import SLUG, make_post, submit_form
from .test_comments import comments, post_comment
from .test_webinars import make_webinar

TYPO = "Pat.Typo@gmial.com"
SUGGESTED = "pat.typo@gmail.com"
TYPED = "pat.typo@gmial.com"


def stored_emails(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Lead.email).order_by(Lead.id)))


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("pat@gmial.com", "pat@gmail.com"),
        ("pat@hotmial.com", "pat@hotmail.com"),
        ("pat@yaho.com", "pat@yahoo.com"),
        ("pat@outlok.com", "pat@outlook.com"),
        ("pat@gmail.co", "pat@gmail.com"),
        ("pat@gmail.com", None),
        ("pat@example.com", None),
        ("pat@clinic.example", None),
    ],
)
def test_a_domain_one_edit_from_a_common_provider_gets_a_suggestion(typed, suggested):
    assert suggested_address(typed) == suggested


def ebook(client, data: dict):
    return submit_form(client, "/ebook", {"first_name": "Pat", "consent": "y", **data}, action="/ebook")


def test_ebook_typo_asks_did_you_mean_and_stores_nothing(app, client):
    response = ebook(client, {"email": TYPO})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Did you mean {SUGGESTED}?" in page
    assert f'name="email_suggested" value="{SUGGESTED}"' in page
    assert f'name="email_checked" value="{TYPO}"' in page
    assert 'value="Pat"' in page and "checked" in page  # the rest of the form kept
    assert stored_emails(app) == []


def test_ebook_taking_the_suggestion_stores_the_corrected_address(app, client):
    response = ebook(client, {"email": TYPO, "email_suggested": SUGGESTED})
    assert response.status_code == 303
    assert stored_emails(app) == [SUGGESTED]


def test_ebook_keeping_the_typed_address_stores_it(app, client):
    response = ebook(client, {"email": TYPO, "email_checked": TYPO})
    assert response.status_code == 303
    assert stored_emails(app) == [TYPED]


def test_a_kept_address_is_not_asked_about_again_while_another_field_is_fixed(app, client):
    response = ebook(client, {"email": TYPO, "email_checked": TYPO, "first_name": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter your first name." in page and "Did you mean" not in page
    assert f'type="hidden" name="email_checked" value="{TYPO}"' in page
    assert ebook(client, {"email": TYPO, "email_checked": TYPO}).status_code == 303
    assert stored_emails(app) == [TYPED]


def test_an_address_edited_after_the_question_wins_over_the_suggestion(app, client):
    """Enter in the field presses the first button ("Yes, use ..."): the edited address is what counts."""
    response = ebook(client, {"email": "pat@example.com", "email_suggested": SUGGESTED})
    assert response.status_code == 303
    assert stored_emails(app) == ["pat@example.com"]


def test_ebook_thanks_names_the_address_and_fix_it_fills_the_form(app, client):
    """Known or not, the page names what this browser typed (see test_anonymous_answers)."""
    response = ebook(client, {"email": TYPO, "email_checked": TYPO})
    assert TYPED not in response.location  # never in a URL (logs, Referer)
    thanks = client.get(response.location).get_data(as_text=True)
    assert f"We are writing to <strong>{TYPED}</strong>" in thanks
    assert 'href="/ebook?fix=1#email">Fix it</a>' in thanks
    form = client.get("/ebook?fix=1").get_data(as_text=True)
    assert f'value="{TYPED}"' in form and 'value="Pat"' in form
    # Another browser (or none sent yet): no address named, no form filled in.
    assert "We are writing to" not in app.test_client().get("/ebook/thanks").get_data(as_text=True)
    assert TYPED not in app.test_client().get("/ebook?fix=1").get_data(as_text=True)


def test_webinar_typo_then_each_choice(app, client):
    slug = make_webinar(app)

    def register(**data):
        return submit_form(
            client,
            f"/webinars/{slug}",
            {"first_name": "Pat", "email": TYPO, **data},
            action=f"/webinars/{slug}/register",
        )

    asked = register()
    assert asked.status_code == 422 and f"Did you mean {SUGGESTED}?" in asked.get_data(as_text=True)
    assert stored_emails(app) == []
    assert register(email_suggested=SUGGESTED).status_code == 303
    thanks = client.get(f"/webinars/{slug}/thanks").get_data(as_text=True)
    assert f"We are writing to <strong>{SUGGESTED}</strong>" in thanks
    assert f'href="/webinars/{slug}?fix=1#email">Fix it</a>' in thanks
    assert f'value="{SUGGESTED}"' in client.get(f"/webinars/{slug}?fix=1").get_data(as_text=True)
    assert register(email="sam@gmial.com", email_checked="sam@gmial.com").status_code == 303
    assert stored_emails(app) == [SUGGESTED, "sam@gmial.com"]


def test_blog_reply_typo_then_each_choice(app, client):
    make_post(app)
    reply = {"name": "Pat", "email": TYPO, "body": "Thank you, this helped me understand my test results."}
    asked = post_comment(client, SLUG, reply)
    assert asked.status_code == 422 and f"Did you mean {SUGGESTED}?" in asked.get_data(as_text=True)
    assert comments(app) == []
    taken = post_comment(client, SLUG, {**reply, "notify": "y", "email_suggested": SUGGESTED})
    assert taken.status_code == 303
    assert f"We will email {SUGGESTED} when it is published" in client.get(taken.location).get_data(as_text=True)
    kept = {**reply, "body": "And a second question about my results.", "email_checked": TYPO}
    assert post_comment(client, SLUG, kept).status_code == 303
    assert [comment.email for comment in comments(app)] == [SUGGESTED, TYPED]


def test_the_json_api_takes_the_address_as_sent(app, client):
    response = client.post("/api/v1/ebook-requests", json={"email": TYPO, "first_name": "Pat", "consent": False})
    assert response.status_code == 202
    assert stored_emails(app) == [TYPED]
