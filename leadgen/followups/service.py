"""Follow-up sequences: the mails after what a lead asked for, inviting them to call."""

from datetime import datetime

from flask import current_app

from ..leads.models import Lead
from ..outbox.service import enqueue

# Each source has its own wording: templates/email/followup_<sequence>_<step>.txt/.html
SEQUENCES = ("ebook", "webinar", "comment")


def start_sequence(lead: Lead, sequence: str, starts_at: datetime, context: dict | None = None) -> int:
    """Queue the steps of a sequence for a consenting lead, in the caller's transaction.

    Step N is due FOLLOWUP_DELAYS[N] after `starts_at`. The dedupe key names lead,
    sequence and step, so capturing the same lead again never queues a step twice.
    Returns how many steps were newly queued.
    """
    if sequence not in SEQUENCES:
        raise ValueError(f"unknown follow-up sequence {sequence!r}")
    if not lead.marketing_consent:
        return 0
    queued = 0
    for step, delay in enumerate(current_app.config["FOLLOWUP_DELAYS"], start=1):
        queued += enqueue(
            template=f"followup_{sequence}_{step}",
            category="marketing",
            recipient=lead.email,
            recipient_name=lead.first_name,
            context={"first_name": lead.first_name, "lead_id": lead.id, "step": step, **(context or {})},
            lead_id=lead.id,
            due_at=starts_at + delay,
            dedupe_key=f"followup:{lead.id}:{sequence}:{step}",
        )
    return queued
