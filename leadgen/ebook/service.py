"""Ebook requests and downloads."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from ..followups.service import start_sequence
from ..leads.consent import MARKETING_EMAIL
from ..leads.models import Activity, Lead
from ..leads.service import Visit, capture_lead, confirm_lead, find_lead, find_lead_by_email
from ..outbox.models import OutboxMessage
from ..outbox.service import enqueue
from ..tokens import sign, unsign

TOKEN_PURPOSE = "ebook-download"
# However often someone asks, the ebook mail goes at most once an hour.
REDELIVERY_INTERVAL = timedelta(hours=1)


def request_ebook(data: dict, visit: Visit) -> tuple[int, bool]:
    """Capture the lead and queue the delivery mail in one transaction; (lead id, queued)."""
    capture = capture_lead(
        email=data["email"],
        first_name=data["first_name"],
        source="ebook",
        activity="ebook_requested",
        visit=visit,
        consent=MARKETING_EMAIL,
        consent_granted=data.get("consent", False),
    )
    queued = queue_delivery(capture.lead)
    start_sequence(capture.lead, "ebook", starts_at=utcnow())
    # Read before the commit expires the lead: answering must not open a second transaction.
    lead_id = capture.lead.id
    db.session.commit()
    return lead_id, queued


def queue_delivery(lead: Lead) -> bool:
    """Queue the delivery mail unless one was queued within the hour."""
    now = utcnow()
    recent = db.session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.lead_id == lead.id,
            OutboxMessage.template == "ebook_delivery",
            OutboxMessage.created_at > now - REDELIVERY_INTERVAL,
        )
    )
    if recent is not None:
        return False
    return enqueue(
        template="ebook_delivery",
        recipient=lead.email,
        recipient_name=lead.first_name,
        context={"first_name": lead.first_name, "lead_id": lead.id},
        lead_id=lead.id,
        dedupe_key=f"ebook:{lead.id}:{now:%Y%m%d%H}",
    )


def resend_link(email: str, visit: Visit) -> bool:
    """Queue a fresh link for a known lead (the expired-link page); False if unknown."""
    lead = find_lead_by_email(email)
    if lead is None:
        return False
    db.session.add(Activity(lead=lead, kind="ebook_link_requested", detail={}, referrer=visit.referrer))
    queued = queue_delivery(lead)
    db.session.commit()
    return queued


def download_token(lead_id: int) -> str:
    """A signed token for the lead's download link."""
    return sign(TOKEN_PURPOSE, {"lead": lead_id})


def lead_for_download(token: str) -> Lead | None:
    """The lead a valid token names, recording the download (it confirms the address).

    Raises TokenExpired or TokenInvalid; None if the lead has since been erased.
    """
    payload = unsign(TOKEN_PURPOSE, token, max_age=current_app.config["EBOOK_LINK_MAX_AGE"].total_seconds())
    lead = find_lead(payload.get("lead", 0)) if isinstance(payload, dict) else None
    if lead is None:
        return None
    confirm_lead(lead)
    db.session.add(Activity(lead=lead, kind="ebook_downloaded", detail={}))
    db.session.commit()
    return lead


def email_for_expired_token(payload) -> str:
    """The address an expired link was for, to prefill the "send me a new link" form."""
    lead = find_lead(payload.get("lead", 0)) if isinstance(payload, dict) else None
    return lead.email if lead else ""
