"""/admin/content: staff reword a mail; the next one sent has their words inside the fixed layout."""

import pytest
from sqlalchemy import select

from leadgen.content.catalogue import MAILS
from leadgen.content.models import MailText
from leadgen.extensions import db
from leadgen.mailmarkdown import PLACEHOLDER
from leadgen.outbox.models import OutboxMessage

from .helpers import count, html_part, request_ebook, row_counts, submit_form, text_part
from .test_webinars import make_webinar, register

EDIT = "/admin/content/mail/ebook_delivery"


def reword_mail(client, key: str, subject: str, body: str, action: str = "save"):
    """Press one of the edit page's buttons with these words."""
    page = f"/admin/content/mail/{key}"
    return submit_form(client, page, {"subject": subject, "body": body, "action": action})


def reword(client, subject: str, body: str, action: str = "save"):
    return reword_mail(client, "ebook_delivery", subject, body, action)


def test_an_edited_subject_and_text_arrive_in_the_next_mail_with_the_fixed_parts(app, client, auth, smtp, deliver):
    auth.sign_in(role="marketing")
    response = reword(client, "Here it is, {first_name}: your guide", "Hi **{first_name}**, enjoy the read.")
    assert response.status_code == 303
    request_ebook(client)
    deliver()

    (mail,) = smtp.messages
    assert mail["Subject"] == "Here it is, Ana: your guide"
    text, html = text_part(mail), html_part(mail)
    assert "Hi **Ana**, enjoy the read." in text and "<strong>Ana</strong>" in html
    # The download link, the clinic's details and the footer come from the template, not from the words.
    assert "/ebook/download/" in text and "Download the ebook (PDF)" in html
    assert app.config["CLINIC_ADDRESS"] in text and app.config["CLINIC_ADDRESS"] in html
    assert "Thank you for asking for our free ebook" not in text


def test_restore_the_default_brings_back_the_shipped_mail(app, client, auth, smtp, deliver):
    auth.sign_in(role="marketing")
    reword(client, "Changed", "Changed words.")
    page = client.get(EDIT).get_data(as_text=True)
    assert "Restore the default" in page
    response = submit_form(client, EDIT, {}, action=f"{EDIT}/restore")
    assert response.status_code == 303
    assert count(app, MailText) == 0
    request_ebook(client)
    deliver()
    assert smtp.messages[0]["Subject"] == "Your free ebook: The 5 Foundations of Autoimmune Diseases"


def test_an_unknown_placeholder_or_empty_subject_is_refused_and_nothing_saved(app, client, auth):
    auth.sign_in(role="marketing")
    with app.app_context():
        before = row_counts()
    response = reword(client, "", "Hello {frist_name}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the subject." in page
    assert "There is no placeholder {frist_name} for this mail" in page and "{first_name}" in page
    # What was typed stays in the form.
    assert "Hello {frist_name}" in page
    with app.app_context():
        assert row_counts() == before


def test_the_edit_page_lists_the_mails_placeholders_and_starts_from_the_shipped_words(client, auth):
    auth.sign_in(role="marketing")
    page = client.get(EDIT).get_data(as_text=True)
    assert "{download_link}" in page and "{office_phone}" in page
    assert "Your free ebook: {ebook_title}" in page and "{ebook_title}" in page
    index = client.get("/admin/content").get_data(as_text=True)
    assert "The ebook&#39;s delivery" in index or "The ebook's delivery" in index


def test_preview_shows_the_mail_on_a_sample_lead_in_the_layout_and_saves_nothing(app, client, auth):
    auth.sign_in(role="marketing")
    response = reword(client, "For {first_name}", "Dear {first_name}, <script>x</script>", action="preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "For Ana" in page
    # The HTML part sits in a sandboxed frame; the script typed is text, never markup.
    assert "<iframe" in page and "sandbox" in page and "<script>x" not in page
    assert app.config["CLINIC_ADDRESS"] in page and "Download the ebook (PDF)" in page
    assert count(app, MailText) == 0


def test_send_me_a_test_goes_to_the_signed_in_staff_member_through_the_outbox(app, client, auth, smtp, deliver):
    auth.sign_in(role="marketing", email="mia@clinic.example")
    for _ in range(2):
        assert reword(client, "Test for {first_name}", "Trying the words.", action="test").status_code == 200
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert {row.recipient for row in rows} == {"mia@clinic.example"}
        assert {row.category for row in rows} == {"transactional"}
        assert len({row.dedupe_key for row in rows}) == 2
    deliver()
    assert [mail["Subject"] for mail in smtp.messages] == ["Test for Ana", "Test for Ana"]
    assert smtp.messages[0]["To"] == "mia@clinic.example"
    assert count(app, MailText) == 0


def test_an_unknown_mail_is_404(client, auth):
    auth.sign_in(role="marketing")
    assert client.get("/admin/content/mail/nope").status_code == 404


@pytest.mark.parametrize("key", sorted(MAILS))
def test_every_mails_shipped_words_preview_with_every_placeholder_filled(app, client, auth, key):
    make_webinar(app)
    auth.sign_in(role="marketing")
    mail = MAILS[key]
    response = reword_mail(client, key, mail.subject, mail.body, action="preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    preview = page.split('id="preview-heading"')[1]
    assert not PLACEHOLDER.search(preview.replace("&#34;", '"')), PLACEHOLDER.findall(preview)
    assert app.config["CLINIC_ADDRESS"] in preview


def test_a_reworded_webinar_confirmation_keeps_the_join_link_cancel_link_and_calendar(app, client, auth, smtp, deliver):
    slug = make_webinar(app)
    auth.sign_in(role="marketing")
    subject, body = "See you at {webinar_title}", "Dear {first_name}, it starts {webinar_time}."
    assert reword_mail(client, "webinar_confirmation", subject, body).status_code == 303
    register(client, slug, consent="y")
    deliver()
    [mail] = [mail for mail in smtp.messages if "See you at" in mail["Subject"]]
    assert mail["Subject"] == "See you at Gut health and autoimmunity"
    text = text_part(mail)
    assert "Dear Ana, it starts" in text and "/webinars/join/" in text and "/webinars/cancel/" in text
    assert "(registered for a webinar)" in " ".join(text.split())
    assert [part.get_filename() for part in mail.iter_attachments()] == [f"{slug}.ics"]
