"""Follow-up sequences on /admin/content/sequences: add, remove, reorder steps; queued steps keep theirs."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from leadgen.content.catalogue import FOLLOWUP_WORDS
from leadgen.content.models import FollowupStep, MailText
from leadgen.database import utcnow
from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage

from .helpers import count, request_ebook, row_counts, submit_form, text_part
from .test_webinars import make_webinar, register

PAGE = "/admin/content/sequences/ebook"
(FIRST_SUBJECT, FIRST_BODY), (SECOND_SUBJECT, SECOND_BODY) = FOLLOWUP_WORDS["ebook"]


def steps_form(*steps: dict) -> dict:
    """The form's fields for these step rows (1, 2, ...)."""
    data = {"steps": str(len(steps))}
    for number, step in enumerate(steps, start=1):
        data |= {f"{name}-{number}": value for name, value in step.items()}
    return data


def followups_of(app, email: str) -> list[dict]:
    with app.app_context():
        lead_id = db.session.scalars(select(Lead.id).where(Lead.email == email)).one()
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.lead_id == lead_id, OutboxMessage.template.startswith("followup_"))
            .order_by(OutboxMessage.due_at)
        ).all()
        return [{"template": row.template, "context": row.context, "due_at": row.due_at, "id": row.id} for row in rows]


def send_now(app, deliver, *ids: int) -> None:
    """Make these queued messages due and run the worker."""
    with app.app_context():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(due_at=utcnow()))
        db.session.commit()
    deliver()


def test_the_editor_starts_from_the_shipped_steps_and_settings(client, auth):
    auth.sign_in(role="marketing")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="2d"' in page and 'value="7d"' in page  # FOLLOWUP_DELAYS, "2d,7d"
    assert "Questions after reading The 5 Foundations?" in page and "Add a step" in page


def test_staff_remove_reorder_and_add_steps_and_only_later_leads_get_them(app, client, auth, smtp, deliver):
    request_ebook(client, email="early@example.com")
    auth.sign_in(role="marketing")
    response = submit_form(
        client,
        PAGE,
        steps_form(
            {
                "position": "1",
                "delay": "2d",
                "office_hours": "y",
                "subject": FIRST_SUBJECT,
                "body": FIRST_BODY,
                "remove": "y",
            },
            {"position": "3", "delay": "7d", "subject": "Still there, {first_name}?", "body": SECOND_BODY},
            {
                "position": "2",
                "delay": "1h",
                "subject": "A quick hello",
                "body": "Hello {first_name}, call {office_phone}.",
            },
        ),
    )
    assert response.status_code == 303
    assert count(app, FollowupStep) == 2

    request_ebook(client, email="late@example.com")
    late = followups_of(app, "late@example.com")
    assert [row["context"]["words"]["subject"] for row in late] == ["A quick hello", "Still there, {first_name}?"]
    assert [row["template"] for row in late] == ["followup_ebook_1", "followup_ebook_2"]
    assert timedelta(minutes=59) < late[1]["due_at"] - late[0]["due_at"] < timedelta(days=7)

    # The lead captured before the change keeps the shipped steps, and the shipped words.
    early = followups_of(app, "early@example.com")
    assert [row["template"] for row in early] == ["followup_ebook_1", "followup_ebook_2"]
    assert all("words" not in row["context"] for row in early)

    deliver()  # the ebook itself
    smtp.handler.reset()
    send_now(app, deliver, early[0]["id"], late[0]["id"], late[1]["id"])
    subjects = sorted(str(mail["Subject"]) for mail in smtp.messages)
    assert subjects == sorted(["A quick hello", "Still there, Ana?", FIRST_SUBJECT])
    quick = next(mail for mail in smtp.messages if mail["Subject"] == "A quick hello")
    assert "Hello Ana, call +1 312 555 0142." in text_part(quick)
    assert "Unsubscribe with one click: http://leadgen.test/unsubscribe/" in text_part(quick)
    assert quick["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_step_already_queued_keeps_its_words_after_another_edit(app, client, auth, smtp, deliver):
    auth.sign_in(role="marketing")
    one_step = {"position": "1", "delay": "1h", "subject": "First words", "body": "First words, {first_name}."}
    submit_form(client, PAGE, steps_form(one_step))
    request_ebook(client, email="ana@example.com")
    submit_form(client, PAGE, steps_form({**one_step, "subject": "Second words"}))
    [row] = followups_of(app, "ana@example.com")
    deliver()  # the ebook itself
    smtp.handler.reset()
    send_now(app, deliver, row["id"])
    assert [str(mail["Subject"]) for mail in smtp.messages] == ["First words"]


def test_a_bad_step_is_refused_with_its_field_named_and_nothing_saved(app, client, auth):
    auth.sign_in(role="marketing")
    with app.app_context():
        before = row_counts()
    response = submit_form(
        client,
        PAGE,
        steps_form(
            {"position": "1", "delay": "soon", "subject": "", "body": "Hi {frist_name}"},
            {"position": "x", "delay": "2d", "subject": "Fine", "body": "Fine."},
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="delay-1-error"' in page and 'id="subject-1-error"' in page and 'id="body-1-error"' in page
    assert "{frist_name}" in page and 'id="position-2-error"' in page
    with app.app_context():
        assert row_counts() == before
    # Removing every step is refused too: restore the default instead.
    only = {"position": "1", "delay": "2d", "subject": "A", "body": "B", "remove": "y"}
    assert submit_form(client, PAGE, steps_form(only)).status_code == 422


def test_restore_the_default_sequence(app, client, auth):
    auth.sign_in(role="marketing")
    submit_form(client, PAGE, steps_form({"position": "1", "delay": "1h", "subject": "Mine", "body": "Mine."}))
    assert submit_form(client, PAGE, {}, action=f"{PAGE}/restore").status_code == 303
    assert count(app, FollowupStep) == 0
    request_ebook(client)
    rows = followups_of(app, "ana@example.com")
    assert [row["template"] for row in rows] == ["followup_ebook_1", "followup_ebook_2"]
    assert all("words" not in row["context"] for row in rows)


def test_preview_of_a_step_shows_it_in_the_layout_with_the_unsubscribe_footer_absent(client, auth):
    auth.sign_in(role="marketing")
    response = submit_form(
        client,
        PAGE,
        {
            **steps_form({"position": "1", "delay": "2d", "subject": "Hi {first_name}", "body": "Hello."}),
            "action": "preview-1",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Hi Ana" in page and "<iframe" in page


def test_send_me_a_step_as_a_test_reaches_the_staff_member_and_saves_nothing(app, client, auth, smtp, deliver):
    auth.sign_in(role="marketing", email="mia@clinic.example")
    step = {"position": "1", "delay": "2d", "subject": "Trying, {first_name}", "body": "Call {office_phone}."}
    response = submit_form(client, PAGE, {**steps_form(step), "action": "test-1"})
    assert response.status_code == 200
    deliver()
    [mail] = smtp.messages
    assert (mail["To"], mail["Subject"]) == ("mia@clinic.example", "Trying, Ana")
    assert "Call +1 312 555 0142." in text_part(mail)
    assert count(app, FollowupStep) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("delay", "99999999999999999999d"), ("delay", "400d"), ("body", "Hello\x00there"), ("subject", "Hi\r\nBcc: x")],
)
def test_odd_input_is_a_422_never_a_500(app, client, auth, field, value):
    auth.sign_in(role="marketing")
    step = {"position": "1", "delay": "2d", "subject": "Fine", "body": "Fine.", field: value}
    response = submit_form(client, PAGE, steps_form(step))
    assert response.status_code == 422
    assert f'id="{field}-1-error"' in response.get_data(as_text=True)
    assert count(app, FollowupStep) == 0
    if field != "delay":  # the same words on a mail's page
        words = {"subject": "Fine", "body": "Fine.", field: value}
        assert submit_form(client, "/admin/content/mail/ebook_delivery", words).status_code == 422
        assert count(app, MailText) == 0


def test_a_webinar_step_names_the_webinar_and_other_sequences_refuse_the_placeholder(app, client, auth, smtp, deliver):
    slug = make_webinar(app, starts_in=timedelta(hours=2))
    auth.sign_in(role="marketing")
    step = {"position": "1", "delay": "1h", "subject": "After {webinar_title}", "body": "About {webinar_title}."}
    assert submit_form(client, PAGE, steps_form(step)).status_code == 422
    webinar_page = "/admin/content/sequences/webinar"
    assert "{webinar_title}" in client.get(webinar_page).get_data(as_text=True)
    assert submit_form(client, webinar_page, steps_form(step)).status_code == 303
    register(client, slug, consent="y")
    deliver()
    smtp.handler.reset()
    [row] = followups_of(app, "ana@example.com")
    send_now(app, deliver, row["id"])
    [mail] = smtp.messages
    assert mail["Subject"] == "After Gut health and autoimmunity"
