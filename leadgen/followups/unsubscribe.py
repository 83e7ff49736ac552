"""Unsubscribe: signed links that stop all marketing mail to one lead, at once."""

from ..database import utcnow
from ..extensions import db
from ..leads.models import Activity, Lead
from ..outbox.models import OutboxMessage
from ..outbox.service import cancel_queued
from ..tokens import TokenExpired, TokenInvalid, lead_for_payload, sign_for_lead, unsign

TOKEN_PURPOSE = "unsubscribe"


def unsubscribe_token(lead: Lead) -> str:
    """The token in the lead's unsubscribe links; it never expires (RFC 8058 links must keep working)."""
    return sign_for_lead(TOKEN_PURPOSE, lead)


def lead_for_token(token: str) -> Lead | None:
    """The lead a genuine unsubscribe token names, or None (forged, mangled, or the lead was erased)."""
    try:
        return lead_for_payload(unsign(TOKEN_PURPOSE, token))
    except (TokenExpired, TokenInvalid):
        return None


def unsubscribe(lead: Lead, via: str) -> bool:
    """Stop all marketing mail to the lead and commit; False if they had already unsubscribed.

    `via` ("one-click" or "page") is kept in the activity as evidence of how they asked.
    Queued marketing mail is cancelled now; the send-time policy stops anything in flight.
    """
    if not record_unsubscribe(lead, via):
        return False
    db.session.commit()
    return True


def record_unsubscribe(lead: Lead, via: str) -> bool:
    """unsubscribe in the caller's transaction (a provider's complaint report applies it with
    its own changes); False if they had already unsubscribed."""
    if lead.unsubscribed_at is not None:
        return False
    lead.unsubscribed_at = utcnow()
    db.session.add(Activity(lead=lead, kind="unsubscribed", detail={"via": via}))
    cancel_queued(OutboxMessage.lead_id == lead.id, OutboxMessage.category == "marketing")
    return True
