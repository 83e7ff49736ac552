"""`outbox purge --sent-before`: delivered mail goes, its dedupe keys stay, nothing is sent twice."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select, update

from leadgen.extensions import db
from leadgen.followups.service import start_sequence
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage, PurgedDedupeKey
from leadgen.outbox.service import enqueue

from .helpers import add_lead

LONG_AGO = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def messages(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (row.dedupe_key, row.status) for row in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_a_purged_follow_up_step_is_never_queued_again(app, runner, deliver, smtp):
    with time_machine.travel(LONG_AGO, tick=False):
        lead_id = add_lead(app, "ana@example.com", consent=True, confirmed_at=LONG_AGO)
        with app.app_context():
            assert start_sequence(db.session.get(Lead, lead_id), "ebook", starts_at=LONG_AGO) == 2
            db.session.commit()
    with time_machine.travel(LONG_AGO + timedelta(days=30), tick=False):
        deliver()  # the ebook and both follow-up steps go
    sent = messages(app)
    assert sent and all(status == "sent" for _key, status in sent)
    assert any(key.startswith(f"followup:{lead_id}:ebook:") for key, _status in sent)

    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["outbox", "purge", "--sent-before", "90d"])
        assert result.exit_code == 0, result.output
        assert f"deleted {len(sent)} message(s)" in result.output
        assert messages(app) == []
        with app.app_context():
            assert set(db.session.scalars(select(PurgedDedupeKey.dedupe_key))) == {key for key, _ in sent}
            # The lead asks again: the steps sent long ago are not queued a second time.
            lead = db.session.get(Lead, lead_id)
            assert start_sequence(lead, "ebook", starts_at=NOW) == 0
            assert not enqueue(template="ebook_delivery", recipient=lead.email, dedupe_key=sent[0][0])
            db.session.commit()
        assert messages(app) == []


def queue_sent(key: str, sent_at: datetime | None) -> None:
    """A message in the outbox, delivered at `sent_at` (None: still queued)."""
    enqueue(template="ebook_delivery", recipient=f"{key}@example.com", dedupe_key=key)
    if sent_at is not None:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.dedupe_key == key).values(status="sent", sent_at=sent_at)
        )
    db.session.commit()


def test_dry_run_counts_and_only_old_sent_mail_goes(app, runner):
    with app.app_context():
        queue_sent("old", LONG_AGO)
        queue_sent("older", LONG_AGO - timedelta(days=1))
        queue_sent("recent", NOW - timedelta(days=10))
        queue_sent("queued", None)
    before = messages(app)
    with time_machine.travel(NOW, tick=False):
        dry = runner.invoke(args=["outbox", "purge", "--sent-before", "90d", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "would delete 2 message(s)" in dry.output
        assert messages(app) == before
        result = runner.invoke(args=["outbox", "purge", "--sent-before", "90d", "--batch-size", "1"])
        assert result.exit_code == 0, result.output
        assert "deleted 2 message(s)" in result.output
    assert messages(app) == [("recent", "sent"), ("queued", "queued")]


def test_a_cut_off_without_a_unit_is_refused(app, runner):
    result = runner.invoke(args=["outbox", "purge", "--sent-before", "90"])
    assert result.exit_code != 0
    assert "no unit" in result.output
