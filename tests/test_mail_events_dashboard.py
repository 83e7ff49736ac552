"""The dashboard's last 30 days of bounces and complaints, and its warning at 0.3% complaints."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import update

from leadgen.extensions import db
from leadgen.mailevents.models import MailEvent
from leadgen.outbox.models import OutboxMessage
from leadgen.outbox.service import enqueue_many, message_values

from .helpers import add_lead
from .test_mail_events import SECRET, post_signed

NOW = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)


def sent_mail(app, count: int, sent_at: datetime) -> None:
    """`count` emails the outbox sent at `sent_at`."""
    with app.app_context():
        rows = [
            message_values(template="ebook", recipient=f"r{n}@example.com", dedupe_key=f"{sent_at:%s}:{n}")
            for n in range(count)
        ]
        keys = enqueue_many(rows)
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.dedupe_key.in_(keys)).values(status="sent", sent_at=sent_at)
        )
        db.session.commit()


def complaints(app, count: int) -> None:
    client = app.test_client()
    for number in range(count):
        email = f"c{number}@example.com"
        add_lead(app, email, consent=True)
        assert post_signed(client, {"type": "complaint", "email": email}).status_code == 200


def dashboard(auth) -> str:
    """The dashboard's text with each run of whitespace as one space."""
    return " ".join(auth.client.get("/admin/").get_data(as_text=True).split())


def test_rates_count_the_last_30_days_and_warn_at_the_ceiling(clinic, auth):
    app = clinic(MAIL_EVENTS_SECRET=SECRET)
    with time_machine.travel(NOW, tick=False):
        sent_mail(app, 1000, NOW - timedelta(days=3))
        sent_mail(app, 500, NOW - timedelta(days=40))  # outside the window
        complaints(app, 2)
        add_lead(app, "bounce@example.com", consent=True)
        post_signed(app.test_client(), {"type": "bounce", "email": "bounce@example.com"})
        with app.app_context():  # an old complaint, outside the window
            db.session.add(MailEvent(provider="generic", kind="complaint", created_at=NOW - timedelta(days=31)))
            db.session.commit()
        auth.sign_in(role="marketing")
        page = dashboard(auth)
        assert "Bounces and complaints, last 30 days" in page
        assert "<strong>1000</strong> emails sent" in page
        assert "<strong>1</strong> bounced (0.10%" in page
        assert "<strong>2</strong> spam complaints (0.20%)" in page
        assert "Too many spam complaints" not in page

        complaints_from(app, 2)  # the third: 3 in 1000 is the ceiling
        page = dashboard(auth)
    assert "Too many spam complaints" in page and "0.30% of the email sent" in page
    assert 'role="alert"' in page


def complaints_from(app, start: int) -> None:
    client = app.test_client()
    email = f"c{start}@example.com"
    add_lead(app, email, consent=True)
    assert post_signed(client, {"type": "complaint", "email": email}).status_code == 200


def test_no_mail_and_no_events_reads_calmly(app, auth):
    auth.sign_in(role="marketing")
    page = dashboard(auth)
    assert "<strong>0</strong> emails sent" in page and "Too many spam complaints" not in page
