"""DOUBLE_OPT_IN: follow-ups wait for the lead's press of the button in our mail; what they asked for goes anyway."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from leadgen.extensions import db
from leadgen.followups.optin import confirm_lead
from leadgen.followups.stops import WAITING_FOR_CONFIRMATION
from leadgen.leads.models import Lead

from .helpers import TWO_STEPS, confirm_links, press_confirm_button, request_ebook
from .test_followups import MONDAY_10AM_CST, at, deliver_at, followup_rows

FRIDAY_10AM_CST = MONDAY_10AM_CST + timedelta(days=4)


def confirm_from_the_mail(app, smtp, moment: datetime) -> None:
    """Open the confirmation link of the delivery mail and press the page's button (downloading confirms nothing)."""
    [link] = confirm_links(smtp.messages[0])
    with at(moment):
        assert press_confirm_button(app.test_client(), link).status_code == 200


def test_without_a_click_the_ebook_goes_but_no_follow_up(clinic, smtp):
    app = clinic(DOUBLE_OPT_IN=True)
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert len(smtp.messages) == 1 and "Your free ebook" in smtp.messages[0]["Subject"]
    assert [(row.status, row.last_error) for row in followup_rows(app)] == [("cancelled", WAITING_FOR_CONFIRMATION)] * 2


def test_a_prompt_click_keeps_the_schedule(clinic, smtp):
    app = clinic(DOUBLE_OPT_IN=True)
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)
    confirm_from_the_mail(app, smtp, MONDAY_10AM_CST + timedelta(minutes=5))

    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2) - timedelta(seconds=1))
    assert len(smtp.messages) == 1
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2, minutes=5))
    assert len(smtp.messages) == 2 and "physicians" in smtp.messages[-1]["Subject"]


def test_follow_ups_held_before_a_late_click_are_not_lost(clinic, smtp):
    app = clinic(DOUBLE_OPT_IN=True, EBOOK_LINK_MAX_AGE=timedelta(days=7))
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=3))  # step 1 fell due: held back
    assert followup_rows(app)[0].last_error == WAITING_FOR_CONFIRMATION

    confirm_from_the_mail(app, smtp, FRIDAY_10AM_CST)
    call, invitation = followup_rows(app)
    assert (call.status, invitation.status) == ("queued", "queued")
    # Delays count from the click: Friday + 2 days is Sunday, so Monday 09:00 CST; the invitation a week after it.
    assert call.due_at == datetime(2026, 11, 9, 15, 0, tzinfo=UTC)
    assert invitation.due_at == FRIDAY_10AM_CST + TWO_STEPS[1]

    deliver_at(app, call.due_at)
    deliver_at(app, invitation.due_at)
    assert len(smtp.messages) == 3
    assert [row.status for row in followup_rows(app)] == ["sent", "sent"]


def test_a_click_after_the_wait_limit_revives_nothing(clinic, smtp):
    app = clinic(DOUBLE_OPT_IN=True)
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    with at(MONDAY_10AM_CST + timedelta(days=31)), app.app_context():
        confirm_lead(db.session.scalars(select(Lead)).one())
        db.session.commit()
    assert [row.status for row in followup_rows(app)] == ["cancelled", "cancelled"]


def test_with_double_opt_in_off_consent_alone_starts_the_sequence(clinic, smtp):
    app = clinic(DOUBLE_OPT_IN=False)
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2))
    assert len(smtp.messages) == 2
    with app.app_context():
        assert db.session.scalars(select(Lead)).one().confirmed_at is None
