"""Confirming marketing mail: a signed link to a page whose one button says "yes, send me your emails".

The same link does two jobs. With DOUBLE_OPT_IN it confirms a new lead's address; after
an unsubscribe, a consent ticked again (by anyone who types the address) only mails this
link, and pressing its button is what ends the unsubscribe. Opening the link changes
nothing: mail providers' scanners fetch every link (GET and HEAD), so only the button's
POST confirms.
"""

from ..database import utcnow
from ..extensions import db
from ..leads.models import Activity, Lead
from ..leads.service import RESUBSCRIBE_TEMPLATE
from ..tokens import TokenExpired, TokenInvalid, lead_for_payload, sign_for_lead, unsign
from ..webhooks.service import emit_event, lead_payload
from .service import resume_after_confirmation

TOKEN_PURPOSE = "confirm-marketing"


def needs_confirmation_link(lead: Lead | None, template: str, double_opt_in: bool) -> bool:
    """True when this mail should carry the confirmation link.

    The mail that asks an unsubscribed person to resubscribe always does (it is all that
    mail is for); otherwise, with DOUBLE_OPT_IN, what a consenting, unconfirmed and
    subscribed lead asked for does.
    """
    if lead is None:
        return False
    if template == RESUBSCRIBE_TEMPLATE:
        return True
    return bool(double_opt_in and lead.marketing_consent and lead.confirmed_at is None and lead.unsubscribed_at is None)


def unsubscribe_marker(lead: Lead) -> int | None:
    """Which unsubscribe a link may end: its time in whole seconds, None while subscribed."""
    return int(lead.unsubscribed_at.timestamp()) if lead.unsubscribed_at else None


def confirmation_token(lead: Lead) -> str:
    """The token of the lead's confirmation link: bound to the person and to their current unsubscribe."""
    return sign_for_lead(TOKEN_PURPOSE, lead, unsubscribed=unsubscribe_marker(lead))


def lead_for_confirmation(token: str) -> Lead | None:
    """The lead a genuine confirmation token names, or None (forged, erased, someone else's id now).

    A link made before the person unsubscribed (again) is outdated: it may never end a
    later unsubscribe.
    """
    try:
        payload = unsign(TOKEN_PURPOSE, token)
    except (TokenExpired, TokenInvalid):
        return None
    lead = lead_for_payload(payload)
    if lead is None or (lead.unsubscribed_at is not None and payload.get("unsubscribed") != unsubscribe_marker(lead)):
        return None
    return lead


def is_confirmed(lead: Lead) -> bool:
    """Nothing left for the button to do: the address is confirmed and marketing is on."""
    return lead.confirmed_at is not None and lead.unsubscribed_at is None and lead.marketing_consent


def confirm_lead(lead: Lead) -> bool:
    """Record that the lead confirmed their address, in the caller's transaction; True if it was news.

    The CRM hears of it (lead.confirmed); with DOUBLE_OPT_IN, the follow-ups held back go now.
    """
    if lead.confirmed_at is not None:
        return False
    lead.confirmed_at = utcnow()
    emit_event("lead.confirmed", lead_payload(lead), key=str(lead.id), lead_id=lead.id)
    resume_after_confirmation(lead)
    return True


def confirm_marketing(lead: Lead) -> None:
    """The person pressed the button: confirm the address, end an unsubscribe, and commit."""
    if lead.unsubscribed_at is not None:
        lead.unsubscribed_at = None
        lead.marketing_consent = True
        db.session.add(Activity(lead=lead, kind="resubscribed", detail={}))
    confirm_lead(lead)
    db.session.commit()
