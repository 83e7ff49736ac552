"""/admin/content: staff reword a mail; the next one sent has their words inside the fixed layout."""

from sqlalchemy import select

from leadgen.content.models import MailText
from leadgen.extensions import db
from leadgen.outbox.models import OutboxMessage

from .helpers import count, html_part, request_ebook, row_counts, submit_form, text_part

EDIT = "/admin/content/mail/ebook_delivery"


def reword(client, subject: str, body: str, action: str = "save"):
    return submit_form(client, EDIT, {"subject": subject, "body": body, "action": action})


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
    assert "Your free ebook: The 5 Foundations of Autoimmune Diseases" in page
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
