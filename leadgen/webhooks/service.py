"""Register webhooks and emit events: each event becomes outbox rows in the caller's transaction."""

import hashlib
import json
import secrets
import uuid

from sqlalchemy import func, select

from ..database import utcnow
from ..extensions import db
from ..leads.models import Lead
from ..outbox.models import OutboxMessage
from ..outbox.service import enqueue
from .models import EVENTS, Webhook


def create_webhook(url: str, events: list[str], description: str = "") -> Webhook:
    """Register a webhook with a fresh signing secret and commit; returns it (secret included)."""
    webhook = Webhook(
        url=url,
        events=[event for event in EVENTS if event in events],
        description=description,
        secret=secrets.token_hex(32),
    )
    db.session.add(webhook)
    db.session.commit()
    return webhook


def set_webhook_active(webhook_id: int, active: bool) -> Webhook | None:
    """Enable or disable a webhook and commit; a disabled webhook's queued calls are dropped when due."""
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is not None:
        webhook.active = active
        db.session.commit()
    return webhook


def all_webhooks() -> list[Webhook]:
    """Every webhook, active first, newest first."""
    return list(db.session.scalars(select(Webhook).order_by(Webhook.active.desc(), Webhook.created_at.desc())))


def delivery_counts() -> dict[int, dict[str, int]]:
    """For each webhook id, how many of its calls are queued, sent, failed... (for the admin page)."""
    webhook_id = OutboxMessage.context["webhook_id"].as_integer()
    rows = db.session.execute(
        select(webhook_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.kind == "webhook")
        .group_by(webhook_id, OutboxMessage.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for hook_id, status, count in rows:
        counts.setdefault(hook_id, {})[status] = count
    return counts


def lead_payload(lead: Lead) -> dict:
    """What the CRM learns about a lead (JSON-serialisable)."""
    return {
        "id": lead.id,
        "email": lead.email,
        "first_name": lead.first_name,
        "source": lead.source,
        "status": lead.status,
        "utm_source": lead.utm_source,
        "utm_medium": lead.utm_medium,
        "utm_campaign": lead.utm_campaign,
        "marketing_consent": bool(lead.marketing_consent and lead.unsubscribed_at is None),
        "confirmed_at": lead.confirmed_at.isoformat() if lead.confirmed_at else None,
        "created_at": lead.created_at.isoformat() if lead.created_at else None,
    }


def canonical_json(data) -> bytes:
    """The one byte form of a JSON value: what we sign, send and dedupe on."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def emit_event(name: str, data: dict, *, key: str | None = None, lead_id: int | None = None) -> int:
    """Queue one webhook call per active webhook subscribed to `name`; returns how many. Does not commit.

    Runs in the caller's transaction, so the event is stored with what caused it or not at
    all. The outbox dedupe key is the webhook, the event and `key` (by default a hash of
    `data`), so emitting the same event twice calls each webhook once. `lead_id` ties the
    calls to a lead: erasing the lead also drops its undelivered calls.
    """
    if name not in EVENTS:
        raise ValueError(f"unknown webhook event {name!r}; known: {', '.join(EVENTS)}")
    # Three columns, not Webhook objects: every new lead asks, and there are usually none.
    active = select(Webhook.id, Webhook.url, Webhook.events).where(Webhook.active.is_(True))
    webhooks = [hook for hook in db.session.execute(active) if name in hook.events]
    if not webhooks:
        return 0
    key = key or hashlib.sha256(canonical_json(data)).hexdigest()[:40]
    event = {"id": uuid.uuid4().hex, "event": name, "created_at": utcnow().isoformat(), "data": data}
    queued = 0
    for webhook in webhooks:
        queued += enqueue(
            kind="webhook",
            template=name,  # a webhook row's event (OutboxMessage.webhook_event)
            recipient=webhook.url,  # and its URL (OutboxMessage.webhook_url)
            dedupe_key=f"webhook:{webhook.id}:{name}:{key}",
            context={"event": name, "data": data, "webhook_id": webhook.id, "payload": event},
            lead_id=lead_id,
        )
    return queued
