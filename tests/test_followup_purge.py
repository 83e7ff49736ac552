"""`leads purge --older-than`: leads who never engaged go; anyone who engaged stays."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.leads.models import Activity, Consent, Lead
from leadgen.outbox.models import OutboxMessage

from .helpers import request_ebook

LONG_AGO = datetime(2024, 1, 10, 15, 0, tzinfo=UTC)  # more than 24 months before NOW
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def emails(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Lead.email)))


def seed_leads(app, client) -> None:
    with time_machine.travel(LONG_AGO, tick=False):
        request_ebook(client, "silent@example.com", consent=False)
        request_ebook(client, "consented@example.com")
        request_ebook(client, "confirmed@example.com", consent=False)
        request_ebook(client, "booked@example.com", consent=False)
        request_ebook(client, "came-back@example.com", consent=False)
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        request_ebook(client, "came-back@example.com", consent=False)  # a new activity since the cutoff
        request_ebook(client, "recent@example.com", consent=False)
    with app.app_context():
        for lead in db.session.scalars(select(Lead)):
            if lead.email == "confirmed@example.com":
                lead.confirmed_at = LONG_AGO
            if lead.email == "booked@example.com":
                lead.status = "booked"
        db.session.commit()


def test_purge_removes_only_leads_who_never_engaged(app, client, runner, smtp):
    seed_leads(app, client)
    everyone = emails(app)
    with time_machine.travel(NOW, tick=False):
        dry = runner.invoke(args=["leads", "purge", "--older-than", "24m", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "would remove 1 lead(s) with no engagement since 2024-11-24" in dry.output
        assert emails(app) == everyone

        result = runner.invoke(args=["leads", "purge", "--older-than", "24m"])
        assert result.exit_code == 0, result.output
        assert "removed 1 lead(s)" in result.output
    assert emails(app) == everyone - {"silent@example.com"}
    with app.app_context():
        # Nothing of the purged lead is left behind: activities, consents, queued or sent mail.
        assert "silent@example.com" not in set(db.session.scalars(select(OutboxMessage.recipient)))
        lead_ids = set(db.session.scalars(select(Lead.id)))
        for model in (Activity, Consent, OutboxMessage):
            assert set(db.session.scalars(select(model.lead_id))) <= lead_ids


def test_purge_accepts_days_and_years_and_refuses_nonsense(app, runner):
    assert runner.invoke(args=["leads", "purge", "--older-than", "90d", "--dry-run"]).exit_code == 0
    assert runner.invoke(args=["leads", "purge", "--older-than", "2y", "--dry-run"]).exit_code == 0
    result = runner.invoke(args=["leads", "purge", "--older-than", "two years"])
    assert result.exit_code == 2
    assert "write e.g. 24m (months), 90d (days) or 2y (years)" in result.output
