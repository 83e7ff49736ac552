"""Broadcast mail not in the outbox yet (its recipients wait for the worker to queue them a batch
at a time) is what an operator and the person see: `outbox status`, the dashboard, /metrics and
the subject-access export all show it, and it leaves them once the worker has sent it."""

from datetime import timedelta

import pytest

from leadgen.database import utcnow

from .helpers import add_lead, staff_token, work_once
from .test_broadcasts import post_broadcast
from .test_metrics import TOKEN, scrape, value

NEXT_WEEK = (utcnow() + timedelta(days=7)).replace(microsecond=0)


@pytest.fixture
def broadcasts(app, client) -> dict:
    """The two broadcasts of `send_two_broadcasts`, sent on the test's app."""
    return send_two_broadcasts(app, client)


def send_two_broadcasts(app, client) -> dict:
    """Three leads who may get marketing mail; one broadcast due now to all three and one
    scheduled for next week to the webinar lead alone, the worker not run yet."""
    for email in ("ana@example.com", "ben@example.com"):
        add_lead(app, email, consent=True)
    webinar_lead = add_lead(app, "cy@example.com", source="webinar", consent=True)
    token = staff_token(app, "sender@clinic.example", role="marketing")
    now = post_broadcast(client, token, subject="Spring news")
    later = post_broadcast(
        client, token, subject="Summer news", audience={"source": "webinar"}, send_at=NEXT_WEEK.isoformat()
    )
    assert now.status_code == later.status_code == 201
    return {"now": now.get_json()["id"], "later": later.get_json()["id"], "webinar_lead": webinar_lead}


def test_outbox_status_counts_the_broadcast_mail_still_to_be_queued(app, runner, deliver, smtp, broadcasts):
    status = runner.invoke(args=["outbox", "status"])
    assert status.exit_code == 0, status.output
    assert "    queued: 0" in status.output
    assert "   waiting: 4 broadcast recipient(s) of 2 broadcast(s), not in the outbox yet" in status.output

    deliver()
    assert len(smtp.messages) == 3
    status = runner.invoke(args=["outbox", "status"])
    assert "      sent: 3" in status.output
    assert "   waiting: 1 broadcast recipient(s) of 1 broadcast(s)" in status.output


def test_the_dashboard_says_how_much_broadcast_mail_is_still_to_be_queued(client, auth, deliver, smtp, broadcasts):
    auth.sign_in(role="marketing")
    page = client.get("/admin/").get_data(as_text=True)
    assert "<strong>0</strong> queued or sending" in page
    assert "<strong>4</strong> more" in page and "(2 broadcasts) still to be queued" in page

    deliver()
    page = client.get("/admin/").get_data(as_text=True)
    assert "<strong>1</strong> more" in page and "(1 broadcast) still to be queued" in page


def test_metrics_export_the_waiting_recipients_apart_from_the_outbox(make_app, smtp):
    app = make_app(METRICS_TOKEN=TOKEN)
    client = app.test_client()
    send_two_broadcasts(app, client)
    samples = scrape(client)
    assert value(samples, "leadgen_broadcast_recipients_waiting") == 4
    assert value(samples, "leadgen_outbox_messages", status="queued", category="marketing") == 0

    work_once(app)
    assert value(scrape(client), "leadgen_broadcast_recipients_waiting") == 1


def test_the_export_lists_the_broadcasts_the_person_is_waiting_for(app, client, auth, deliver, smtp, broadcasts):
    lead_id = broadcasts["webinar_lead"]
    export = client.get(f"/api/v1/leads/{lead_id}/export", headers=staff_token(app)).get_json()
    waiting = export["broadcasts_waiting"]
    assert [(entry["broadcast_id"], entry["subject"]) for entry in waiting] == [
        (broadcasts["now"], "Spring news"),
        (broadcasts["later"], "Summer news"),
    ]
    assert waiting[1]["send_at"] == NEXT_WEEK.isoformat() and waiting[0]["send_at"] < waiting[1]["send_at"]
    assert export["emails"] == []

    deliver()  # the one due now goes, and moves from the broadcasts waiting to the emails
    auth.sign_in(email="dpo@clinic.example")
    console = client.get(f"/admin/leads/{lead_id}/export.json").get_json()
    assert console["broadcasts_waiting"] == waiting[1:]
    assert [(email["category"], email["status"]) for email in console["emails"]] == [("marketing", "sent")]
