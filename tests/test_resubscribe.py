"""After an unsubscribe, a consent ticked again (by anyone who types the address) only mails a button."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from leadgen.blog.models import Post
from leadgen.extensions import db
from leadgen.leads.models import Activity, Consent

from .helpers import confirm_links, only_lead, press_confirm_button, request_ebook, text_part
from .test_followups import MONDAY_10AM_CST, at, deliver_at
from .test_unsubscribe import one_click
from .test_webinars import make_webinar, register

RESUBSCRIBE_SUBJECT = "Do you want our emails again?"


def unsubscribed_lead(app, smtp, double_opt_in: bool) -> None:
    """Ana asks for the ebook with consent (confirming it when asked), gets the first call, then unsubscribes."""
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)
    if double_opt_in:
        with at(MONDAY_10AM_CST + timedelta(minutes=5)):
            press_confirm_button(app.test_client(), confirm_links(smtp.messages[0])[0])
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2, minutes=30))
    [first_call] = [mail for mail in smtp.messages if mail["List-Unsubscribe"]]
    with at(MONDAY_10AM_CST + timedelta(days=2, hours=1)):
        assert one_click(app.test_client(), first_call["List-Unsubscribe"][1:-1]).status_code == 200
    assert only_lead(app).unsubscribed_at is not None


def stranger_ticks_consent(app, channel: str) -> None:
    """Someone else types Ana's address with another name and ticks the consent box."""
    client = app.test_client()
    if channel == "webinar page":
        assert register(client, make_webinar(app), first_name="Mallory", consent="y").status_code == 303
    elif channel == "ebook api":
        body = {"email": "ana@example.com", "first_name": "Mallory", "consent": True}
        assert client.post("/api/v1/ebook-requests", json=body).status_code == 202
    else:
        with app.app_context():
            db.session.add(Post(slug="gut", title="Gut health", published_at=datetime.now(UTC) - timedelta(days=1)))
            db.session.commit()
        body = {"name": "Mallory", "email": "ana@example.com", "body": "Very useful, thank you.", "consent": True}
        assert client.post("/api/v1/posts/gut/comments", json=body).status_code == 202


def asked_to_resubscribe(app, smtp) -> tuple:
    """Ana unsubscribed; a stranger ticked consent with her address: (when, the link in the mail she got)."""
    unsubscribed_lead(app, smtp, double_opt_in=False)
    moment = MONDAY_10AM_CST + timedelta(days=3)
    with at(moment):
        stranger_ticks_consent(app, "ebook api")
    deliver_at(app, moment)
    [ask] = [mail for mail in smtp.messages if mail["Subject"] == RESUBSCRIBE_SUBJECT]
    [link] = confirm_links(ask)
    return moment, link


@pytest.mark.parametrize("double_opt_in", [False, True], ids=["single opt-in", "double opt-in"])
@pytest.mark.parametrize("channel", ["webinar page", "ebook api", "comment api"])
def test_a_stranger_ticking_consent_does_not_undo_an_unsubscribe(clinic, smtp, channel, double_opt_in):
    app = clinic(DOUBLE_OPT_IN=double_opt_in)
    unsubscribed_lead(app, smtp, double_opt_in)
    before = len(smtp.messages)

    moment = MONDAY_10AM_CST + timedelta(days=3)
    with at(moment):
        stranger_ticks_consent(app, channel)
    assert only_lead(app).unsubscribed_at is not None
    with app.app_context():  # the consent is kept as evidence all the same
        assert db.session.scalar(select(func.count()).select_from(Consent)) == 2
    for days in (0, 3, 10, 30):
        deliver_at(app, moment + timedelta(days=days, minutes=1))
    after = smtp.messages[before:]
    assert all(mail["List-Unsubscribe"] is None for mail in after), "marketing mail after the unsubscribe"
    [ask] = [mail for mail in after if mail["Subject"] == RESUBSCRIBE_SUBJECT]
    assert ask["To"].addresses[0].addr_spec == "ana@example.com"
    assert text_part(ask).startswith("Hello Ana,")  # the stored name, not the stranger's
    assert only_lead(app).unsubscribed_at is not None  # the mail alone changes nothing


def test_pressing_the_button_resumes_marketing_and_opening_the_link_does_not(clinic, smtp):
    app = clinic()
    moment, link = asked_to_resubscribe(app, smtp)
    client = app.test_client()
    path = link.removeprefix("http://leadgen.test")
    with at(moment + timedelta(hours=1)):
        assert client.head(path).status_code == 200
        page = client.get(path)
    assert page.status_code == 200 and "Yes, send me your emails" in page.get_data(as_text=True)
    assert only_lead(app).unsubscribed_at is not None  # a mail scanner's GET or HEAD changes nothing

    with at(moment + timedelta(hours=1)):
        done = press_confirm_button(client, link)
    assert "your email address is confirmed" in done.get_data(as_text=True)
    assert only_lead(app).unsubscribed_at is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Activity.kind == "resubscribed")) == 1

    # Marketing resumes: Ana's own webinar registration now brings its follow-ups.
    with at(moment + timedelta(hours=2)):
        slug = make_webinar(app, starts_in=timedelta(days=1))
        assert register(client, slug, consent="y").status_code == 303
    before = len(smtp.messages)
    for days in (1, 3, 5, 12):
        deliver_at(app, moment + timedelta(days=days))
    assert any(mail["List-Unsubscribe"] for mail in smtp.messages[before:])


def test_a_link_from_before_a_later_unsubscribe_never_ends_it(clinic, smtp):
    app = clinic()
    moment, link = asked_to_resubscribe(app, smtp)
    client = app.test_client()
    with at(moment + timedelta(hours=1)):
        press_confirm_button(client, link)
    assert only_lead(app).unsubscribed_at is None
    [first_call] = [mail for mail in smtp.messages if mail["List-Unsubscribe"]]
    with at(moment + timedelta(days=1)):  # subscribed again, then unsubscribed again
        assert one_click(client, first_call["List-Unsubscribe"][1:-1]).status_code == 200
    assert only_lead(app).unsubscribed_at is not None

    path = link.removeprefix("http://leadgen.test")
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    assert only_lead(app).unsubscribed_at is not None


def test_a_stranger_asking_again_and_again_causes_one_mail_a_day(clinic, smtp):
    app = clinic()
    unsubscribed_lead(app, smtp, double_opt_in=False)
    moment = MONDAY_10AM_CST + timedelta(days=3)
    for hours in (0, 2, 5):
        with at(moment + timedelta(hours=hours)):
            stranger_ticks_consent(app, "ebook api")
    deliver_at(app, moment + timedelta(hours=6))
    assert [mail["Subject"] for mail in smtp.messages].count(RESUBSCRIBE_SUBJECT) == 1
