"""The stop rule: when a lead must get no marketing mail. Written once, here.

Follow-ups are queued only for a lead the rule lets through, and the outbox asks it again
at send time (outbox.policy), so every worker obeys the latest state at once.
"""

from flask import current_app
from sqlalchemy import select

from ..callbacks.models import CallbackRequest
from ..extensions import db
from ..leads.models import Lead
from ..leads.status import STAFF_STATUSES
from ..outbox.models import OutboxMessage

# With DOUBLE_OPT_IN, a due step of an unconfirmed lead is held back with this reason;
# confirming brings it back (followups.service.resume_after_confirmation).
WAITING_FOR_CONFIRMATION = "waiting for double opt-in confirmation"
# While the lead waits for a call-back, a due step is held back with this reason; closing the
# request as called or no answer brings it back (callbacks.service.resume_followups).
CALLBACK_OPEN = "a call-back request is open"


def is_followup(message: OutboxMessage) -> bool:
    """A step of a follow-up sequence (sequence_messages marks its context) or a broadcast's
    mail: what a lead staff marked contacted or booked no longer gets."""
    return bool((message.context or {}).get("sequence")) or message.broadcast_id is not None


def marketing_stop_reason(lead: Lead | None, followup: bool) -> str | None:
    """Why no marketing mail may go to this lead now, or None when it may.

    Marketing mail needs a lead that still exists (an erased one does not), consented, did
    not unsubscribe, did not report our mail as spam and whose address did not bounce; a lead
    staff marked contacted or booked is talking to the clinic already, so follow-ups stop too,
    and wait while a call-back request is open (CALLBACK_OPEN: held, not refused). With DOUBLE_OPT_IN
    the lead must also have confirmed (WAITING_FOR_CONFIRMATION: held, not refused).
    """
    if lead is None:
        return "the lead no longer exists"
    if not lead.marketing_consent:
        return "no marketing consent"
    if lead.complained_at is not None:
        return "complained"
    if lead.unsubscribed_at is not None:
        return "unsubscribed"
    if lead.bounced_at is not None:
        return "address bounced"
    if followup and lead.status in STAFF_STATUSES:
        return f"lead is {lead.status}"
    if followup and has_open_callback(lead.id):
        return CALLBACK_OPEN
    if current_app.config["DOUBLE_OPT_IN"] and lead.confirmed_at is None:
        return WAITING_FOR_CONFIRMATION
    return None


def may_receive_marketing():
    """SQL conditions on Lead: the leads marketing_stop_reason(lead, followup=True) lets
    through now, for choosing many at once (a broadcast's audience). Keep the two in step.

    An erased lead has no row, so it is never chosen.
    """
    conditions = [
        Lead.marketing_consent.is_(True),
        Lead.complained_at.is_(None),
        Lead.unsubscribed_at.is_(None),
        Lead.bounced_at.is_(None),
        Lead.status.not_in(STAFF_STATUSES),
    ]
    if current_app.config["DOUBLE_OPT_IN"]:
        conditions.append(Lead.confirmed_at.is_not(None))
    return conditions


def may_receive_followups(lead: Lead) -> bool:
    """True when a sequence may be queued for the lead.

    A lead still to confirm (DOUBLE_OPT_IN) or waiting for a call-back gets the steps queued all
    the same: the dedupe keys hold and the worker holds each due step back until they confirm
    (resume_after_confirmation) or the call-back is closed (callbacks.service.resume_followups).
    """
    return marketing_stop_reason(lead, followup=True) in (None, WAITING_FOR_CONFIRMATION, CALLBACK_OPEN)


def has_open_callback(lead_id: int) -> bool:
    """True while staff have yet to call the lead back: "call our office" mail would cross the call."""
    query = select(CallbackRequest.id).where(CallbackRequest.lead_id == lead_id, CallbackRequest.status == "open")
    return db.session.scalar(query.limit(1)) is not None
