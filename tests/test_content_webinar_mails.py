"""/admin/content: the webinar's later mails (a new time, thank you, sorry we missed you) are
staff's words too; the next one sent has them, with its join, cancel and recording links kept,
and a reworded confirmation keeps the waitlist's note."""

from datetime import timedelta

import time_machine

from leadgen.content.models import MailText

from .helpers import count, csrf_token_from, html_part, links_in, staff_token, submit_form, text_part
from .test_content_mails import reword_mail
from .test_webinar_attendance import REPLAY_URL, registration_of
from .test_webinars import form_token, make_webinar, post_registration, register, webinar

TITLE = "Gut health and autoimmunity"


def move(app, client, slug: str, by: timedelta):
    """Staff move the webinar (the API the console's edit shares); returns its new start."""
    new_start = webinar(app, slug).starts_at + by
    response = client.patch(
        f"/api/v1/webinars/{slug}",
        json={"starts_at": new_start.isoformat()},
        headers=staff_token(app, "api@clinic.example", role="marketing"),
    )
    assert response.status_code == 200, response.get_json()
    return new_start


def test_an_edited_new_time_mail_arrives_with_its_words_join_link_cancel_link_and_calendar(
    app, client, auth, smtp, deliver
):
    slug = make_webinar(app, starts_in=timedelta(days=7))
    auth.sign_in(role="marketing")
    subject = "Moved, {first_name}: {webinar_title}"
    body = "Dear {first_name}, it now starts {webinar_time} instead of {previous_time}. Your link: {join_url}"
    assert reword_mail(client, "webinar_moved", subject, body).status_code == 303
    register(client, slug, email="ana@example.com", consent="y")
    deliver()
    move(app, client, slug, timedelta(days=3))
    deliver()

    [notice] = smtp.messages[1:]
    assert notice["Subject"] == f"Moved, Ana: {TITLE}"
    text = " ".join(text_part(notice).split())
    assert "Dear Ana, it now starts" in text and "instead of" in text and "{previous_time}" not in text
    # The words' {join_url} is the registrant's own link, the same one the fixed part carries.
    join_links = {link for link in links_in(notice) if "/webinars/join/" in link}
    assert len(join_links) == 1 and f"Your link: {join_links.pop()}" in text
    assert "/webinars/cancel/" in text and "Join the webinar" in html_part(notice)
    assert [part.get_filename() for part in notice.iter_attachments()] == [f"{slug}.ics"]
    assert "The webinar you registered for has a new time" not in text


def test_edited_thanks_and_missed_mails_arrive_after_the_webinar_with_the_recording(app, client, auth, smtp, deliver):
    slug = make_webinar(app, starts_in=timedelta(days=2), replay_url=REPLAY_URL)
    auth.sign_in(role="marketing")
    thanks = ("Thanks for coming, {first_name}", "Glad you joined {webinar_title}. Replay: {replay_url}")
    missed = ("We missed you, {first_name}", "Here is {webinar_title} for you to watch.")
    assert reword_mail(client, "webinar_thanks", *thanks).status_code == 303
    assert reword_mail(client, "webinar_missed", *missed).status_code == 303
    register(client, slug, email="ana@example.com", first_name="Ana", consent="y")
    register(client, slug, email="bo@example.com", first_name="Bo", consent="y")
    deliver()
    scheduled = webinar(app, slug)
    # Ana joins with her own link; Bo never comes.
    [ana_link] = {link for link in links_in(smtp.messages[0]) if "/webinars/join/" in link}
    with time_machine.travel(scheduled.starts_at + timedelta(minutes=5), tick=False):
        assert client.get(ana_link.removeprefix("http://leadgen.test")).status_code == 302
    assert registration_of(app, "ana@example.com").attended_at is not None

    sent = len(smtp.messages)
    with time_machine.travel(scheduled.ends_at + timedelta(hours=2), tick=False):
        deliver()
        deliver()
    after = {mail["To"].addresses[0].addr_spec: mail for mail in smtp.messages[sent:]}
    assert after["ana@example.com"]["Subject"] == "Thanks for coming, Ana"
    assert after["bo@example.com"]["Subject"] == "We missed you, Bo"
    ana_text, bo_text = text_part(after["ana@example.com"]), text_part(after["bo@example.com"])
    assert f"Glad you joined {TITLE}. Replay: {REPLAY_URL}" in " ".join(ana_text.split())
    assert f"Here is {TITLE} for you to watch." in " ".join(bo_text.split())
    # The recording's link is a fixed part of both: it stays whatever the words say.
    assert REPLAY_URL in bo_text and "Watch the recording" in html_part(after["ana@example.com"])
    assert "/webinars" in bo_text and "Thank you for joining our webinar" not in ana_text


def test_restore_the_default_brings_back_the_shipped_new_time_mail(app, client, auth, smtp, deliver):
    slug = make_webinar(app, starts_in=timedelta(days=7))
    auth.sign_in(role="marketing")
    page = "/admin/content/mail/webinar_moved"
    assert reword_mail(client, "webinar_moved", "Changed", "Changed words.").status_code == 303
    assert submit_form(client, page, {}, action=f"{page}/restore").status_code == 303
    assert count(app, MailText) == 0
    register(client, slug, consent="y")
    move(app, client, slug, timedelta(days=1))
    deliver()
    notice = smtp.messages[-1]
    assert notice["Subject"] == f"New time: {TITLE}"
    assert "The webinar you registered for has a new time." in text_part(notice)


def test_the_webinar_mails_are_listed_and_send_me_a_test_goes_to_staff(app, client, auth, smtp, deliver):
    make_webinar(app, replay_url=REPLAY_URL)
    auth.sign_in(role="marketing", email="mia@clinic.example")
    index = client.get("/admin/content").get_data(as_text=True)
    for key in ("webinar_moved", "webinar_thanks", "webinar_missed"):
        assert f"/admin/content/mail/{key}" in index
    page = client.get("/admin/content/mail/webinar_missed").get_data(as_text=True)
    assert "Sorry we missed you: {webinar_title}" in page and "{replay_url}" in page
    response = reword_mail(client, "webinar_missed", "Missed {webinar_title}", "Watch: {replay_url}", action="test")
    assert response.status_code == 200
    deliver()
    [mail] = smtp.messages
    assert mail["To"] == "mia@clinic.example" and mail["Subject"] == f"Missed {TITLE}"
    assert f"Watch: {REPLAY_URL}" in text_part(mail)
    assert count(app, MailText) == 0


def test_a_reworded_confirmation_still_tells_the_first_on_the_waitlist_why_they_got_the_seat(
    app, client, auth, smtp, deliver
):
    slug = make_webinar(app, capacity=1)
    auth.sign_in(role="marketing")
    assert reword_mail(client, "webinar_confirmation", "Your seat, {first_name}", "See you there.").status_code == 303
    token = form_token(client, slug)
    register(client, slug, email="ana@example.com")
    full = post_registration(client, slug, token, email="bo@example.com", first_name="Bo").get_data(as_text=True)
    waitlist = {"csrf_token": csrf_token_from(full), "email": "bo@example.com", "first_name": "Bo"}
    assert client.post(f"/webinars/{slug}/waitlist", data=waitlist).status_code == 200
    deliver()
    [cancel_link] = [url for url in links_in(smtp.messages[0]) if "/webinars/cancel/" in url]
    cancel_path = cancel_link.removeprefix("http://leadgen.test")
    cancel_page = client.get(cancel_path).get_data(as_text=True)
    assert client.post(cancel_path, data={"csrf_token": csrf_token_from(cancel_page)}).status_code == 200
    deliver()

    [promoted] = smtp.messages[1:]
    assert promoted["Subject"] == "Your seat, Bo"
    text = text_part(promoted)
    assert "See you there." in text and "you were first on the waitlist" in text
    assert "you were first on the waitlist" in html_part(promoted) and "/webinars/join/" in text
