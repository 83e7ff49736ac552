"""Ebook requests and downloads."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..content.service import consent_for
from ..database import utcnow
from ..extensions import db
from ..followups.service import sequence_messages
from ..leads.models import Activity, Lead
from ..leads.service import Visit, capture_lead, find_lead_by_email, note_first_offer
from ..outbox.models import OutboxMessage
from ..outbox.service import enqueue_many, message_values
from ..tokens import lead_for_payload, sign_for_person, unsign
from . import offers
from .models import Ebook

TOKEN_PURPOSE = "ebook-download"
# However often someone asks, the ebook mail goes at most once an hour.
REDELIVERY_INTERVAL = timedelta(hours=1)


def request_ebook(data: dict, visit: Visit, offer: Ebook | None = None) -> None:
    """Capture the lead and queue the delivery mail of `offer` (the default one if None) in one transaction.

    Returns nothing on purpose: the answer to a visitor is the same whether the address is
    new, known, or was sent the ebook a minute ago.
    """
    offer = offers.stored_default_offer() if offer is None or offer.id is None else offer
    capture = capture_lead(
        email=data["email"],
        first_name=data["first_name"],
        source="ebook",
        activity="ebook_requested",
        visit=visit,
        consent=consent_for("ebook"),
        consent_granted=data.get("consent", False),
        detail={"ebook": offer.title},
    )
    now = utcnow()
    # A lead created just now has no mail yet: only a returning one needs the hourly check.
    recent = not capture.created and sent_recently(capture.lead, now, offer)
    delivery = None if recent else delivery_message(capture.lead, now, offer)
    followups = sequence_messages(capture.lead, "ebook", starts_at=now, context=followup_context(offer))
    # The delivery and the follow-up steps in one statement, each still deduped by its key.
    enqueue_many(([delivery] if delivery else []) + followups)
    offers.count_request(offer, now)
    db.session.commit()


def followup_context(offer: Ebook) -> dict:
    """What the follow-up mail says the lead asked for: the default's words, or this offer's title.

    The sequence is queued once per lead, so it speaks of the first ebook they asked for.
    """
    if offer.is_default:
        return {}
    return {"ebook_id": offer.id, "reason": f"asked for our free ebook, {offer.title}"}


def mail_ebook_id(offer: Ebook) -> int | None:
    """How a delivery mail and its link name the offer: not at all for the default, so the
    mail and the links of the single-ebook days stay what they were."""
    return None if offer.is_default else offer.id


def sent_recently(lead: Lead, now: datetime, offer: Ebook) -> bool:
    """True if this offer's delivery mail was queued for this lead within the hour."""
    recent = db.session.scalars(
        select(OutboxMessage.context).where(
            OutboxMessage.lead_id == lead.id,
            OutboxMessage.template == "ebook_delivery",
            OutboxMessage.created_at > now - REDELIVERY_INTERVAL,
        )
    )
    return any(context.get("ebook_id") == mail_ebook_id(offer) for context in recent)


def delivery_message(lead: Lead, now: datetime, offer: Ebook) -> dict:
    """The outbox row of the offer's delivery mail; its key allows one per lead, offer and clock hour."""
    ebook_id = mail_ebook_id(offer)
    context = {"first_name": lead.first_name, "lead_id": lead.id}
    key = f"ebook:{lead.id}:{now:%Y%m%d%H}"
    if ebook_id is not None:
        context["ebook_id"] = ebook_id
        key = f"ebook:{lead.id}:{ebook_id}:{now:%Y%m%d%H}"
    return message_values(
        template="ebook_delivery",
        recipient=lead.email,
        recipient_name=lead.first_name,
        context=context,
        lead_id=lead.id,
        dedupe_key=key,
    )


def queue_delivery(lead: Lead, offer: Ebook) -> bool:
    """Queue the offer's delivery mail unless one was queued within the hour."""
    now = utcnow()
    if sent_recently(lead, now, offer):
        return False
    return bool(enqueue_many([delivery_message(lead, now, offer)]))


def resend_link(email: str, visit: Visit, offer: Ebook | None = None) -> bool:
    """Queue a fresh link to `offer` (the default if None) for a known lead (the expired-link
    page); False if the address is unknown."""
    lead = find_lead_by_email(email)
    if lead is None:
        return False
    offer = offers.stored_default_offer() if offer is None or offer.id is None else offer
    db.session.add(
        Activity(lead=lead, kind="ebook_link_requested", detail={"ebook": offer.title}, referrer=visit.referrer)
    )
    # Anyone known may ask (a commenter too), and this sends them the ebook: their offer if first.
    note_first_offer(lead, offer.title)
    queued = queue_delivery(lead, offer)
    db.session.commit()
    return queued


def download_token(lead_id: int, email: str, ebook_id: int | None = None) -> str:
    """A signed token for the lead's download link, bound to the person (their address), not only
    the id, and naming the offer by id (none: the default, as every link of the single-ebook days)."""
    extra = {} if ebook_id is None else {"ebook": ebook_id}
    return sign_for_person(TOKEN_PURPOSE, lead_id, email, **extra)


def offer_of_payload(payload) -> Ebook | None:
    """The offer a download token names: the default when it names none; None for an offer that is gone."""
    ebook_id = payload.get("ebook") if isinstance(payload, dict) else None
    if ebook_id is None:
        return offers.default_offer()
    return offers.offer_by_id(ebook_id) if isinstance(ebook_id, int) else None


def download_for(token: str, record: bool = True) -> tuple[Lead, Ebook] | None:
    """The lead and the offer a valid token names, recording the download when `record` (a HEAD does not).

    Downloading confirms nothing: mail scanners fetch links too. A retired offer still downloads
    until the link expires. Raises TokenExpired or TokenInvalid; None if the lead has since been
    erased, the id now names someone else, or the offer is unknown.
    """
    payload = unsign(TOKEN_PURPOSE, token, max_age=current_app.config["EBOOK_LINK_MAX_AGE"].total_seconds())
    lead, offer = lead_for_payload(payload), offer_of_payload(payload)
    if lead is None or offer is None:
        return None
    if record:
        db.session.add(Activity(lead=lead, kind="ebook_downloaded", detail={"ebook": offer.title}))
        db.session.commit()
    return lead, offer


def email_for_expired_token(payload) -> str:
    """The address an expired link was for, to prefill the "send me a new link" form ("" if not that person's)."""
    lead = lead_for_payload(payload)
    return lead.email if lead else ""
