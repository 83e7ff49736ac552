"""Follow-up sequences: timing with time travel, office hours, no double steps, every stop rule."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import delete, select

from leadgen.extensions import db
from leadgen.followups.service import start_sequence
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage
from leadgen.outbox.service import enqueue
from leadgen.outbox.worker import run_worker

from .helpers import TWO_STEPS, html_part, request_ebook, text_part

# Chicago: CDT (UTC-5) until Sunday 1 November 2026, CST (UTC-6) after; CDT again from 8 March 2026.
MONDAY_10AM_CST = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)


def at(moment: datetime):
    """Freeze the clock at `moment` (no sleeps anywhere)."""
    return time_machine.travel(moment, tick=False)


def deliver_at(app, moment: datetime) -> None:
    """Run the outbox worker once with the clock at `moment`."""
    with at(moment), app.app_context():
        run_worker(once=True)


def followup_rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.template.startswith("followup_")).order_by(OutboxMessage.id)
            )
        )
        db.session.expunge_all()
        return rows


def templates_received(smtp) -> list[str]:
    """Subjects of what arrived, in order."""
    return [str(message["Subject"]) for message in smtp.messages]


def update_lead(app, email: str = "ana@example.com", **values) -> None:
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.email == email)).one()
        for name, value in values.items():
            setattr(lead, name, value)
        db.session.commit()


def test_ebook_sequence_calls_office_after_two_days_then_invites_to_a_webinar(clinic, smtp):
    app = clinic()
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)
    assert len(smtp.messages) == 1  # the ebook itself

    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2) - timedelta(seconds=1))
    assert len(smtp.messages) == 1
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2))
    call = smtp.messages[-1]
    assert "physicians" in call["Subject"]
    text, html = text_part(call), html_part(call)
    assert "Call our office" in text and "+1 312 555 0142" in text and "Mon-Fri 09:00-17:00" in text
    assert "What the first call is like" in text
    assert 'href="tel:+13125550142"' in html

    deliver_at(app, MONDAY_10AM_CST + timedelta(days=7) - timedelta(seconds=1))
    assert len(smtp.messages) == 2
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=7))
    invitation = smtp.messages[-1]
    assert "webinar" in invitation["Subject"].lower()
    assert "http://leadgen.test/webinars?" in text_part(invitation)
    assert [row.status for row in followup_rows(app)] == ["sent", "sent"]


@pytest.mark.parametrize(
    ("requested", "office_hours", "expected"),
    [
        # Thursday 17:30 CST + 2 days = Saturday evening: Monday 09:00 CST.
        (datetime(2026, 11, 5, 23, 30, tzinfo=UTC), "Mon-Fri 09:00-17:00", datetime(2026, 11, 9, 15, 0, tzinfo=UTC)),
        # With Saturday mornings open, a Thursday 06:00 request lands on Saturday 06:00: 09:00 that day.
        (
            datetime(2026, 11, 5, 12, 0, tzinfo=UTC),
            "Mon-Fri 09:00-17:00; Sat 09:00-12:00",
            datetime(2026, 11, 7, 15, 0, tzinfo=UTC),
        ),
        # Spring forward (Sunday 8 March 2026): the weekend step goes Monday 09:00 CDT = 14:00 UTC.
        (datetime(2026, 3, 5, 20, 0, tzinfo=UTC), "Mon-Fri 09:00-17:00", datetime(2026, 3, 9, 14, 0, tzinfo=UTC)),
        # Fall back (Sunday 1 November 2026): Monday 09:00 CST = 15:00 UTC.
        (datetime(2026, 10, 29, 23, 30, tzinfo=UTC), "Mon-Fri 09:00-17:00", datetime(2026, 11, 2, 15, 0, tzinfo=UTC)),
        # Always open: exactly two days later, whatever the day.
        (datetime(2026, 11, 5, 23, 30, tzinfo=UTC), "always", datetime(2026, 11, 7, 23, 30, tzinfo=UTC)),
    ],
)
def test_call_our_office_step_waits_for_the_next_opening(clinic, smtp, requested, office_hours, expected):
    app = clinic(OFFICE_HOURS=office_hours)
    with at(requested):
        request_ebook(app.test_client())
    deliver_at(app, requested)
    call, invitation = followup_rows(app)
    assert call.due_at == expected
    # Only "call our office" waits for the office; the second step keeps its plain delay.
    assert invitation.due_at == requested + TWO_STEPS[1]

    deliver_at(app, expected - timedelta(minutes=1))
    assert len(smtp.messages) == 1
    deliver_at(app, expected)
    assert len(smtp.messages) == 2 and "physicians" in smtp.messages[-1]["Subject"]


def test_capturing_the_same_lead_again_never_queues_a_step_twice(clinic, smtp):
    app = clinic()
    for hours in (0, 2, 30):  # a new ebook delivery each time (more than an hour apart)
        with at(MONDAY_10AM_CST + timedelta(hours=hours)):
            request_ebook(app.test_client())
    rows = followup_rows(app)
    assert [row.template for row in rows] == ["followup_ebook_1", "followup_ebook_2"]
    # The steps keep the schedule of the first request.
    assert rows[0].due_at == MONDAY_10AM_CST + TWO_STEPS[0]


def test_delays_beyond_the_written_templates_queue_nothing(clinic, smtp):
    app = clinic(FOLLOWUP_DELAYS=[timedelta(days=2), timedelta(days=7), timedelta(days=30)])
    request_ebook(app.test_client())
    assert [row.template for row in followup_rows(app)] == ["followup_ebook_1", "followup_ebook_2"]


def test_each_source_has_its_own_wording(clinic, smtp):
    app = clinic(OFFICE_HOURS="always")
    with at(MONDAY_10AM_CST), app.app_context():
        for number, sequence in enumerate(("ebook", "webinar", "comment")):
            lead = Lead(email=f"{sequence}@example.com", first_name="Ana", source=sequence, marketing_consent=True)
            db.session.add(lead)
            db.session.flush()
            context = {"webinar_title": "Gut health and autoimmunity"} if sequence == "webinar" else {}
            assert (
                start_sequence(lead, sequence, starts_at=MONDAY_10AM_CST + timedelta(minutes=number), context=context)
                == 2
            )
        db.session.commit()
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    subjects = templates_received(smtp)
    assert len(subjects) == 6 and len(set(subjects)) == 6
    texts: dict[str, str] = {}
    for message in smtp.messages:
        texts[message["To"].addresses[0].addr_spec] = texts.get(message["To"].addresses[0].addr_spec, "") + text_part(
            message
        )
    assert "Gut health and autoimmunity" in texts["webinar@example.com"]
    assert "asked for our free ebook" in texts["ebook@example.com"]
    assert "registered for one of our free webinars" in texts["webinar@example.com"]
    assert "left a reply on our blog" in texts["comment@example.com"]
    assert "/webinars?" in texts["ebook@example.com"]
    assert "/blog?" in texts["webinar@example.com"]
    assert "/ebook?" in texts["comment@example.com"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"unsubscribed_at": MONDAY_10AM_CST + timedelta(days=1)}, "unsubscribed"),
        ({"status": "booked"}, "lead is booked"),
        ({"status": "contacted"}, "lead is contacted"),
        ({"marketing_consent": False}, "no marketing consent"),
    ],
)
def test_follow_ups_stop_at_send_time(clinic, smtp, change, reason):
    """Changed by any process after queueing (staff console, another web worker): the worker obeys."""
    app = clinic()
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)
    update_lead(app, **change)
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert len(smtp.messages) == 1  # only the ebook
    assert [(row.status, row.last_error) for row in followup_rows(app)] == [("cancelled", reason)] * 2


def test_erased_lead_gets_nothing(clinic, smtp):
    app = clinic()
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)
    with app.app_context():
        db.session.execute(delete(Lead).where(Lead.email == "ana@example.com"))
        db.session.commit()
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert len(smtp.messages) == 1
    assert all(row.status != "sent" for row in followup_rows(app))


def test_a_hard_bounce_stops_the_sequence(clinic, smtp):
    app = clinic()
    smtp.handler.reject_recipients = {"ana@example.com"}
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST)  # the ebook bounces: 550 No such user
    smtp.handler.reject_recipients = set()  # even if the address would work again, we do not try
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert smtp.messages == []
    assert [(row.status, row.last_error) for row in followup_rows(app)] == [("cancelled", "address bounced")] * 2


def test_no_marketing_mail_without_consent_ever(clinic, smtp):
    app = clinic()
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client(), consent=False)
    assert followup_rows(app) == []
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        for sequence in ("ebook", "webinar", "comment"):
            assert start_sequence(lead, sequence, starts_at=MONDAY_10AM_CST) == 0
        # Even a marketing message queued by mistake is stopped at send time.
        enqueue(
            template="followup_ebook_2",
            category="marketing",
            recipient=lead.email,
            context={"first_name": "Ana", "lead_id": lead.id},
            lead_id=lead.id,
            due_at=MONDAY_10AM_CST,
            dedupe_key="by-mistake",
        )
        db.session.commit()
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert len(smtp.messages) == 1 and "Your free ebook" in smtp.messages[0]["Subject"]  # transactional still goes
    with app.app_context():
        mistake = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "by-mistake")).one()
        assert (mistake.status, mistake.last_error) == ("cancelled", "no marketing consent")


def test_marketing_mail_has_list_headers_and_its_own_sender_transactional_has_neither(clinic, smtp):
    app = clinic(
        MAIL_MARKETING_SENDER="Clinic News <news@clinic.example>", MAIL_LIST_ID="Clinic news <news.clinic.example>"
    )
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client())
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2))
    ebook, call = smtp.messages
    for header in ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert header not in ebook
    assert ebook["From"].addresses[0].addr_spec == "hello@clinic.example"

    assert call["List-Id"] == "Clinic news <news.clinic.example>"
    assert call["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert call["List-Unsubscribe"].startswith("<http://leadgen.test/unsubscribe/")
    assert call["From"].addresses[0].addr_spec == "news@clinic.example"
    # The footer: who we are, where, how to reach us, why the reader gets this, how to stop it.
    text = text_part(call)
    for words in ("Lakeside Autoimmune Clinic", "1200 Lakeshore Drive", "asked for our free ebook", "Unsubscribe"):
        assert words in text
    assert call["List-Unsubscribe"].strip("<>") in text and call["List-Unsubscribe"].strip("<>") in html_part(call)
