"""Delivery rules checked at send time, so every worker obeys the latest state at once."""

from flask import current_app

from ..extensions import db
from ..leads.models import Lead
from .models import OutboxMessage


def reason_not_to_send(message: OutboxMessage) -> str | None:
    """Why this message must not go now (it is then cancelled), or None to send it."""
    if message.category != "marketing":
        return None
    lead = db.session.get(Lead, message.lead_id) if message.lead_id else None
    if lead is None:
        return "the lead no longer exists"
    if not lead.marketing_consent:
        return "no marketing consent"
    if lead.unsubscribed_at is not None:
        return "unsubscribed"
    if lead.bounced_at is not None:
        return "address bounced"
    if current_app.config["DOUBLE_OPT_IN"] and lead.confirmed_at is None:
        return "waiting for double opt-in confirmation"
    return None


def sender_for(message: OutboxMessage) -> str:
    """Transactional and marketing mail may come from different addresses."""
    config = current_app.config
    return config["MAIL_MARKETING_SENDER"] if message.category == "marketing" else config["MAIL_DEFAULT_SENDER"]


def extra_headers_for(message: OutboxMessage, context: dict) -> dict:
    """Headers beyond the basics (marketing mail adds List-Id and unsubscribe headers)."""
    return {}
