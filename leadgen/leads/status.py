"""Staff mark a lead contacted or booked: recorded as an activity, follow-ups stopped."""

from ..extensions import db
from ..outbox.models import OutboxMessage
from ..outbox.service import cancel_queued
from ..webhooks.service import emit_event, lead_payload
from .models import Activity, Lead

# What staff may set; "new" is where every lead starts.
STAFF_STATUSES = ("contacted", "booked")


def mark_lead(lead_id: int, status: str, staff_email: str) -> Lead | None:
    """Set the lead's status, record who did it, cancel its queued marketing mail; None if unknown.

    Booking also tells the CRM's webhooks (lead.booked), in the same transaction.

    A lead who was contacted or booked is talking to the clinic already: the "call our
    office" follow-ups would only be noise, so every queued marketing message is cancelled
    in the same transaction.
    """
    if status not in STAFF_STATUSES:
        raise ValueError(f"status must be one of {', '.join(STAFF_STATUSES)}")
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        return None
    if lead.status != status:
        lead.status = status
        db.session.add(Activity(lead=lead, kind=f"marked_{status}", detail={"by": staff_email}))
        if status == "booked":
            # The CRM hears of it once per lead, however often staff press the button.
            emit_event("lead.booked", lead_payload(lead), key=str(lead.id), lead_id=lead.id)
    cancel_queued(OutboxMessage.lead_id == lead.id, OutboxMessage.category == "marketing")
    db.session.commit()
    return lead
