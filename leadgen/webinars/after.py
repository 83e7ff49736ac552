"""After the webinar: attendees get a thank-you, no-shows a "sorry we missed you", with the replay.

A periodic step of the outbox worker (queue_after_mail, run before each batch) rather than mail
queued at registration: who attended is known only after the end (the join links, and the
attendee CSV staff may upload later), and so is the replay link. The mail waits for the replay
link until REPLAY_WAIT after the end, then goes without it. The webinar's after_mail_queued_at
and one dedupe key per registration make the step idempotent however many workers run it.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..database import utcnow
from ..extensions import db
from ..outbox.service import enqueue
from .changes import active_registrations
from .mailkeys import after_key
from .models import Webinar

# After the end, so a meeting that runs over is not thanked for while it goes on.
AFTER_DELAY = timedelta(hours=1)
# How long the mail waits for staff to set the replay link.
REPLAY_WAIT = timedelta(days=1)
# Webinars that ended longer ago than this are never mailed (e.g. when the feature is deployed).
LOOKBACK = timedelta(days=7)


def after_mail_due(webinar: Webinar, now: datetime) -> bool:
    """An hour after the end with the replay link set, or REPLAY_WAIT after the end without it."""
    if now < webinar.ends_at + AFTER_DELAY:
        return False
    return bool(webinar.replay_url) or now >= webinar.ends_at + REPLAY_WAIT


def queue_after_mail(now: datetime | None = None) -> int:
    """Queue the after mail of every webinar whose time has come, and commit; returns how many mails."""
    now = now or utcnow()
    # No webinar lasts a day: filter on the start in SQL, on the end in Python.
    candidates = db.session.scalars(
        select(Webinar).where(
            Webinar.status == "scheduled",
            Webinar.after_mail_queued_at.is_(None),
            Webinar.starts_at <= now - AFTER_DELAY,
            Webinar.starts_at > now - LOOKBACK,
        )
    ).all()
    queued = 0
    for webinar in candidates:
        if not after_mail_due(webinar, now):
            continue
        # Conditional, so of two workers only one goes on to queue (the dedupe keys hold anyway).
        claimed = db.session.execute(
            update(Webinar)
            .where(Webinar.id == webinar.id, Webinar.after_mail_queued_at.is_(None))
            .values(after_mail_queued_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue
        for registration in active_registrations(webinar):
            lead = registration.lead
            queued += enqueue(
                template="webinar_thanks" if registration.attended_at else "webinar_missed",
                recipient=lead.email,
                recipient_name=lead.first_name,
                context={"first_name": lead.first_name, "webinar_id": webinar.id},
                lead_id=lead.id,
                dedupe_key=after_key(webinar.id, registration),
            )
    db.session.commit()
    return queued
