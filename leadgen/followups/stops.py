"""The stop rule: when a lead must get no marketing mail. Written once, here.

Follow-ups are queued only for a lead the rule lets through, and the outbox asks it again
at send time (outbox.policy), so every worker obeys the latest state at once.
"""

from flask import current_app

from ..leads.models import Lead
from ..leads.status import STAFF_STATUSES
from ..outbox.models import OutboxMessage

# With DOUBLE_OPT_IN, a due step of an unconfirmed lead is held back with this reason;
# confirming brings it back (followups.service.resume_after_confirmation).
WAITING_FOR_CONFIRMATION = "waiting for double opt-in confirmation"


def is_followup(message: OutboxMessage) -> bool:
    """A step of a follow-up sequence (sequence_messages marks its context) or a broadcast's
    mail: what a lead staff marked contacted or booked no longer gets."""
    return bool((message.context or {}).get("sequence")) or message.broadcast_id is not None


def marketing_stop_reason(lead: Lead | None, followup: bool) -> str | None:
    """Why no marketing mail may go to this lead now, or None when it may.

    Marketing mail needs a lead that still exists (an erased one does not), consented, did
    not unsubscribe, did not report our mail as spam and whose address did not bounce; a lead
    staff marked contacted or booked is talking to the clinic already, so follow-ups stop too. With DOUBLE_OPT_IN
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

    A lead still to confirm (DOUBLE_OPT_IN) gets the steps queued all the same: the dedupe
    keys hold and, once they confirm, resume_after_confirmation releases what waited.
    """
    return marketing_stop_reason(lead, followup=True) in (None, WAITING_FOR_CONFIRMATION)
