"""Double opt-in: a signed "yes, send me your emails" link in the mail a lead asked for."""

from ..extensions import db
from ..leads.models import Lead
from ..leads.service import confirm_lead
from .unsubscribe import lead_for_token, lead_token

TOKEN_PURPOSE = "confirm-marketing"
# The ebook's download link already confirms the address; its mail needs no second link.
CONFIRMED_BY_OWN_LINK = ("ebook_delivery",)


def needs_confirmation_link(lead: Lead | None, template: str, double_opt_in: bool) -> bool:
    """True when this mail should carry the confirmation link."""
    return bool(
        double_opt_in
        and lead is not None
        and lead.marketing_consent
        and lead.confirmed_at is None
        and template not in CONFIRMED_BY_OWN_LINK
    )


def confirmation_token(lead: Lead) -> str:
    """The token of the lead's confirmation link (tied to the address, like unsubscribe)."""
    return lead_token(TOKEN_PURPOSE, lead)


def confirm_by_token(token: str) -> Lead | None:
    """Confirm the lead a genuine token names and commit; None for a forged or outdated link."""
    lead = lead_for_token(token, purpose=TOKEN_PURPOSE)
    if lead is None:
        return None
    confirm_lead(lead)
    db.session.commit()
    return lead
