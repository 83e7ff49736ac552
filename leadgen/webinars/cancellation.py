"""Cancelling one registration: the signed link in every mail, the freed seat, the dropped mail."""

from sqlalchemy import select, update

from ..database import utcnow
from ..extensions import db
from ..followups.service import followups_of
from ..leads.models import Activity
from ..outbox.models import OutboxMessage
from ..outbox.service import cancel_queued
from ..tokens import lead_for_payload, sign_for_lead, unsign
from .mailkeys import messages_of_registration
from .models import Registration, Webinar

CANCEL_PURPOSE = "webinar-cancel"


def cancel_token(registration: Registration) -> str:
    """The signed token of the "cancel my registration" link in every mail, bound to the registrant."""
    return sign_for_lead(
        CANCEL_PURPOSE, registration.lead, registration=registration.id, generation=registration.generation
    )


def registration_for_token(token: str, purpose: str = CANCEL_PURPOSE) -> Registration | None:
    """The registration a cancel (or join) link names, or None (erased, someone else's now, or an earlier generation).

    Raises TokenInvalid for a token we did not sign for this purpose.
    """
    payload = unsign(purpose, token)
    lead = lead_for_payload(payload)
    registration = db.session.get(Registration, payload.get("registration", 0)) if lead is not None else None
    if registration is None or registration.lead_id != lead.id or registration.generation != payload.get("generation"):
        return None
    return registration


def free_seat(*which) -> None:
    """Give one seat back (never below zero) at each webinar matching `which`; the caller commits."""
    db.session.execute(
        update(Webinar)
        .where(*which, Webinar.seats_taken > 0)
        .values(seats_taken=Webinar.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def release_seats_held_by(lead_id: int) -> None:
    """Give back every seat the lead holds (erasure); the caller deletes the registrations."""
    held = select(Registration.webinar_id).where(Registration.lead_id == lead_id, Registration.status == "registered")
    free_seat(Webinar.id.in_(held))


def cancel_registration(registration: Registration) -> bool:
    """Free the seat, drop the queued reminders (and follow-ups) and commit; False if already cancelled."""
    # Conditional, so a double click (or two tabs) frees one seat, not two.
    cancelled = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == "registered")
        .values(status="cancelled", cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if cancelled != 1:
        db.session.rollback()
        return False
    webinar = registration.webinar
    free_seat(Webinar.id == webinar.id)
    cancel_queued(messages_of_registration(webinar.id, registration.id))
    cancel_followups_unless_registered(registration.lead_id)
    db.session.add(Activity(lead_id=registration.lead_id, kind="webinar_cancelled", detail={"webinar": webinar.slug}))
    db.session.commit()
    db.session.refresh(registration)
    db.session.refresh(webinar)
    return True


def cancel_followups_unless_registered(lead_id: int) -> int:
    """Drop the lead's queued webinar follow-ups unless they still hold a seat at a scheduled webinar."""
    still = db.session.scalar(
        select(Registration.id)
        .join(Webinar)
        .where(Registration.lead_id == lead_id, Registration.status == "registered", Webinar.status == "scheduled")
        .limit(1)
    )
    if still is not None:
        return 0
    return cancel_queued(OutboxMessage.lead_id == lead_id, followups_of(lead_id, "webinar"))
