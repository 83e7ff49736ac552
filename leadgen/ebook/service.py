"""Ebook requests and downloads."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..content.service import consent_for
from ..database import utcnow
from ..extensions import db
from ..followups.service import sequence_messages
from ..leads.models import Activity, Lead
from ..leads.service import Visit, capture_lead, find_lead_by_email
from ..outbox.models import OutboxMessage
from ..outbox.service import enqueue_many, message_values
from ..tokens import lead_for_payload, sign_for_person, unsign

TOKEN_PURPOSE = "ebook-download"
# However often someone asks, the ebook mail goes at most once an hour.
REDELIVERY_INTERVAL = timedelta(hours=1)


def request_ebook(data: dict, visit: Visit) -> None:
    """Capture the lead and queue the delivery mail in one transaction.

    Returns nothing on purpose: the answer to a visitor is the same whether the address is
    new, known, or was sent the ebook a minute ago.
    """
    capture = capture_lead(
        email=data["email"],
        first_name=data["first_name"],
        source="ebook",
        activity="ebook_requested",
        visit=visit,
        consent=consent_for("ebook"),
        consent_granted=data.get("consent", False),
    )
    now = utcnow()
    # A lead created just now has no mail yet: only a returning one needs the hourly check.
    delivery = None if not capture.created and sent_recently(capture.lead, now) else delivery_message(capture.lead, now)
    followups = sequence_messages(capture.lead, "ebook", starts_at=now)
    # The delivery and the follow-up steps in one statement, each still deduped by its key.
    enqueue_many(([delivery] if delivery else []) + followups)
    db.session.commit()


def sent_recently(lead: Lead, now: datetime) -> bool:
    """True if the delivery mail was queued for this lead within the hour."""
    recent = db.session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.lead_id == lead.id,
            OutboxMessage.template == "ebook_delivery",
            OutboxMessage.created_at > now - REDELIVERY_INTERVAL,
        )
    )
    return recent is not None


def delivery_message(lead: Lead, now: datetime) -> dict:
    """The outbox row of the delivery mail; its key allows one per lead and clock hour."""
    return message_values(
        template="ebook_delivery",
        recipient=lead.email,
        recipient_name=lead.first_name,
        context={"first_name": lead.first_name, "lead_id": lead.id},
        lead_id=lead.id,
        dedupe_key=f"ebook:{lead.id}:{now:%Y%m%d%H}",
    )


def queue_delivery(lead: Lead) -> bool:
    """Queue the delivery mail unless one was queued within the hour."""
    now = utcnow()
    if sent_recently(lead, now):
        return False
    return bool(enqueue_many([delivery_message(lead, now)]))


def resend_link(email: str, visit: Visit) -> bool:
    """Queue a fresh link for a known lead (the expired-link page); False if unknown."""
    lead = find_lead_by_email(email)
    if lead is None:
        return False
    db.session.add(Activity(lead=lead, kind="ebook_link_requested", detail={}, referrer=visit.referrer))
    queued = queue_delivery(lead)
    db.session.commit()
    return queued


def download_token(lead_id: int, email: str) -> str:
    """A signed token for the lead's download link, bound to the person (their address), not only the id."""
    return sign_for_person(TOKEN_PURPOSE, lead_id, email)


def lead_for_download(token: str, record: bool = True) -> Lead | None:
    """The lead a valid token names, recording the download when `record` (a HEAD does not).

    Downloading confirms nothing: mail scanners fetch links too. Raises TokenExpired or
    TokenInvalid; None if the lead has since been erased or the id now names someone else.
    """
    payload = unsign(TOKEN_PURPOSE, token, max_age=current_app.config["EBOOK_LINK_MAX_AGE"].total_seconds())
    lead = lead_for_payload(payload)
    if lead is not None and record:
        db.session.add(Activity(lead=lead, kind="ebook_downloaded", detail={}))
        db.session.commit()
    return lead


def email_for_expired_token(payload) -> str:
    """The address an expired link was for, to prefill the "send me a new link" form ("" if not that person's)."""
    lead = lead_for_payload(payload)
    return lead.email if lead else ""
