"""A broadcast's words: the placeholders staff may use, checking them, and rendering for one lead.

The worker renders each broadcast mail at send time (outbox.render asks `broadcast_mail_parts`),
so the lead's current first name is used and the body is stored once, not once per recipient.
"""

from flask import current_app

from ..extensions import db
from ..followups.service import REASONS
from ..leads.models import Lead
from ..mailmarkdown import fill_text, render_markdown_mail, unknown_placeholders
from ..outbox.models import OutboxMessage
from .models import Broadcast

PLACEHOLDERS = ("first_name", "clinic_name", "clinic_address", "office_phone", "office_hours")
# Who a preview greets when nobody in the audience can be shown.
SAMPLE_FIRST_NAME = "Alex"
# A test mail's subject starts with this, so nobody takes it for the real one.
TEST_PREFIX = "[Test] "


def placeholder_values(first_name: str) -> dict:
    """The value of each placeholder for a lead of this first name."""
    config = current_app.config
    return {
        "first_name": first_name or "there",
        "clinic_name": config["CLINIC_NAME"],
        "clinic_address": config["CLINIC_ADDRESS"],
        "office_phone": config["OFFICE_PHONE"],
        "office_hours": config["OFFICE_HOURS"],
    }


def words_errors(subject: str, body: str) -> dict[str, list[str]]:
    """Field messages for a subject and body that cannot be sent (unknown placeholder, no render)."""
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        if unknown := unknown_placeholders(text, PLACEHOLDERS):
            named = ", ".join(f"{{{name}}}" for name in unknown)
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            errors[field] = [f"There is no placeholder {named}. You can use: {known}."]
    if "body" not in errors:
        try:
            html, _text = render_markdown_mail(body, placeholder_values(SAMPLE_FIRST_NAME))
        except Exception as error:  # whatever the renderer refuses is the author's to fix, not a 500
            errors["body"] = [f"This text could not be turned into an email ({type(error).__name__})."]
        else:
            if not str(html).strip():
                errors["body"] = ["Write the message."]
    return errors


def rendered_parts(subject: str, body: str, first_name: str) -> dict:
    """The subject, HTML and text of the mail for a lead of this first name (templates/email/broadcast.*)."""
    values = placeholder_values(first_name)
    html, text = render_markdown_mail(body, values)
    return {"broadcast_subject": fill_text(subject, values), "broadcast_html": html, "broadcast_text": text}


def broadcast_mail_parts(message: OutboxMessage) -> dict:
    """For outbox.render: the parts of a broadcast mail (or a test of one), {} for other mail."""
    context = message.context or {}
    if message.broadcast_id is not None:
        broadcast = db.session.get(Broadcast, message.broadcast_id)
        lead = db.session.get(Lead, message.lead_id) if message.lead_id else None
        first_name = lead.first_name if lead else message.recipient_name
        reason = REASONS.get(lead.source) if lead else None
        return {**rendered_parts(broadcast.subject, broadcast.body, first_name), "reason": reason}
    if context.get("broadcast_test"):
        parts = rendered_parts(context["subject"], context["body"], context.get("first_name", SAMPLE_FIRST_NAME))
        return {**parts, "broadcast_subject": TEST_PREFIX + parts["broadcast_subject"]}
    return {}
