"""The console's broadcast pages: count, preview, a test to yourself, send, progress, cancel."""

import pytest

from leadgen.broadcasts.models import Broadcast
from leadgen.outbox.models import OutboxMessage

from .helpers import add_lead, count, csrf_token_from, html_part, submit_form

NEW = "/admin/broadcasts/new"
WORDS = {"subject": "News for {first_name}", "body": "Hello **{first_name}**, call {office_phone}."}


@pytest.fixture
def signed_in(app, auth):
    """A marketing staff member signed in, and one lead of the ebook audience (Ana)."""
    auth.sign_in(role="marketing")
    add_lead(app, "ana@example.com", first_name="Ana", consent=True)
    add_lead(app, "no@example.com", consent=False)
    return auth.client


def press(client, action: str, **values):
    return submit_form(client, NEW, {**WORDS, "source": "ebook", **values, "action": action}, action=NEW)


def test_the_list_and_the_nav_link(signed_in):
    page = signed_in.get("/admin/broadcasts").get_data(as_text=True)
    assert "No broadcasts yet." in page and 'href="/admin/broadcasts"' in page


def test_the_count_button_and_the_live_count_say_who_will_get_it(signed_in):
    page = press(signed_in, "count")
    assert page.status_code == 200 and "<strong>1</strong> lead will get it now." in page.get_data(as_text=True)
    assert signed_in.get("/admin/broadcasts/count?source=ebook").get_json() == {"recipients": 1}
    assert signed_in.get("/admin/broadcasts/count?source=comment").get_json() == {"recipients": 0}
    bad = signed_in.get("/admin/broadcasts/count?since=yesterday")
    assert bad.status_code == 422 and "since" in bad.get_json()["errors"]


def test_preview_shows_the_mail_on_a_lead_of_the_audience(signed_in):
    page = press(signed_in, "preview").get_data(as_text=True)
    assert "Preview, as Ana would get it" in page and "News for Ana" in page and "<strong>Ana</strong>" in page


def test_send_me_a_test_mails_the_signed_in_staff_member(signed_in, smtp, deliver):
    assert press(signed_in, "test").status_code == 200
    deliver()
    assert [(str(m["To"]), str(m["Subject"])) for m in smtp.messages] == [
        ("marketing@clinic.example", "[Test] News for Ana")
    ]
    assert "<strong>Ana</strong>" in html_part(smtp.messages[0])
    assert count(signed_in.application, Broadcast) == 0


def test_send_then_follow_it_and_cancel_what_has_not_gone(app, signed_in):
    answer = press(signed_in, "send", send_at="2099-01-01T09:00")
    assert answer.status_code == 303
    page = signed_in.get(answer.location).get_data(as_text=True)
    assert "scheduled" in page and "<dt>Recipients</dt><dd>1</dd>" in page
    token = csrf_token_from(page)
    cancelled = signed_in.post(answer.location + "/cancel", data={"csrf_token": token}, follow_redirects=True)
    page = cancelled.get_data(as_text=True)
    assert "Cancelled. 1 mail will not go." in page and "<dt>Skipped</dt><dd>1</dd>" in page
    assert count(app, OutboxMessage, OutboxMessage.status == "queued") == 0
    listed = signed_in.get("/admin/broadcasts").get_data(as_text=True)
    assert "News for {first_name}" in listed and "cancelled" in listed


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"body": "Hi {frist_name}"}, "There is no placeholder {frist_name}"),
        ({"source": "comment"}, "Nobody in this audience may receive marketing mail."),
        ({"send_at": "2020-01-01T09:00"}, "Choose a time in the future"),
        ({"since": "2026-13-45"}, "Enter a date like 2026-11-24."),
    ],
)
def test_bad_input_re_renders_with_the_message_and_saves_nothing(app, signed_in, values, message):
    answer = press(signed_in, "send", **values)
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert count(app, Broadcast) == 0 and count(app, OutboxMessage) == 0
