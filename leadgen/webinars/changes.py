"""A webinar that moves tells its registrants: reminders and follow-ups follow it, and each
registrant gets the new time with an updated calendar file (same UID, SEQUENCE = revision)."""

from sqlalchemy import select, update

from ..clinictime import time_with_offset
from ..database import utcnow
from ..extensions import db
from ..followups.moves import move_sequence
from ..outbox.models import OutboxMessage
from ..outbox.service import cancel_queued, enqueue
from . import ics
from .mailkeys import moved_key, moved_notices_of_webinar, reminders_of_webinar
from .models import Registration, Webinar
from .registration import REMINDERS, registrant_context, registrant_join_link


def active_registrations(webinar: Webinar) -> list[Registration]:
    """Who holds a seat, in the order they registered."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.webinar_id == webinar.id, Registration.status == "registered")
            .order_by(Registration.created_at, Registration.id)
        )
    )


def reschedule_reminders(webinar: Webinar) -> None:
    """Queued reminders follow the new start; one whose new time has passed is dropped."""
    now = utcnow()
    for name, before in REMINDERS.items():
        due = webinar.starts_at - before
        reminders = reminders_of_webinar(webinar.id, name)
        if due <= now:
            cancel_queued(reminders)
        else:
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.status == "queued", reminders).values(due_at=due)
            )


def tell_of_move(webinar: Webinar, previous_start) -> int:
    """After webinar.revision was bumped for a new time: move the reminders and the registrants'
    follow-ups (counted from the new end) and queue each registrant the new time with the new
    .ics. In the caller's transaction; returns how many registrants will be told."""
    reschedule_reminders(webinar)
    registrations = active_registrations(webinar)
    move_sequence(
        [registration.lead_id for registration in registrations], "webinar", webinar.ends_at, webinar_id=webinar.id
    )
    # A notice of an earlier move not sent yet would carry an outdated calendar file.
    cancel_queued(moved_notices_of_webinar(webinar.id))
    told = 0
    for registration in registrations:
        lead = registration.lead
        context = registrant_context(webinar, registration)
        told += enqueue(
            template="webinar_moved",
            recipient=lead.email,
            recipient_name=lead.first_name,
            context={
                **context,
                "previous_time": time_with_offset(previous_start),  # the clinic's zone, as the mail shows it
                "attachments": [ics.attachment(webinar, registrant_join_link(context))],
            },
            lead_id=lead.id,
            dedupe_key=moved_key(webinar.id, registration, webinar.revision),
        )
    return told
