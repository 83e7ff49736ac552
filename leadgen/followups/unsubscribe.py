"""Unsubscribe: signed links that stop all marketing mail to one lead, at once."""

import hashlib

from ..database import utcnow
from ..extensions import db
from ..leads.models import Activity, Lead
from ..outbox.models import OutboxMessage
from ..outbox.service import cancel_queued
from ..tokens import TokenExpired, TokenInvalid, sign, unsign

TOKEN_PURPOSE = "unsubscribe"


def address_check(email: str) -> str:
    """A short digest of the address: a token for an erased lead never fits a later lead with its id.

    Tokens are signed, not encrypted, so the address itself never goes into the URL.
    """
    return hashlib.sha256(email.encode()).hexdigest()[:12]


def lead_token(purpose: str, lead: Lead) -> str:
    """A never-expiring token naming the lead and a digest of its address, for one purpose."""
    return sign(purpose, {"lead": lead.id, "check": address_check(lead.email)})


def unsubscribe_token(lead: Lead) -> str:
    """The token in the lead's unsubscribe links; it never expires (RFC 8058 links must keep working)."""
    return lead_token(TOKEN_PURPOSE, lead)


def lead_for_token(token: str, purpose: str = TOKEN_PURPOSE) -> Lead | None:
    """The lead a genuine token names, or None (forged, mangled, or the lead was erased)."""
    try:
        payload = unsign(purpose, token)
    except (TokenExpired, TokenInvalid):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("lead"), int):
        return None
    lead = db.session.get(Lead, payload["lead"])
    if lead is None or payload.get("check") != address_check(lead.email):
        return None
    return lead


def unsubscribe(lead: Lead, via: str) -> bool:
    """Stop all marketing mail to the lead and commit; False if they had already unsubscribed.

    `via` ("one-click" or "page") is kept in the activity as evidence of how they asked.
    Queued marketing mail is cancelled now; the send-time policy stops anything in flight.
    """
    if lead.unsubscribed_at is not None:
        return False
    lead.unsubscribed_at = utcnow()
    db.session.add(Activity(lead=lead, kind="unsubscribed", detail={"via": via}))
    cancel_queued(OutboxMessage.lead_id == lead.id, OutboxMessage.category == "marketing")
    db.session.commit()
    return True
