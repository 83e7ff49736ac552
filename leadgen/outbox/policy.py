"""Delivery rules checked at send time, so every worker obeys the latest state at once.

This is the delivery side of the outbox, with render and worker: it carries every domain's
mail, so it asks the domains' own rules (followups' stop rule and links, blog's reply stops).
The outbox's models and service, which the domains build on, import none of them.
"""

from flask import current_app

from ..blog.reply_stops import reply_mail_stopped, stop_replies_url
from ..extensions import db
from ..followups.optin import confirmation_token, needs_confirmation_link
from ..followups.stops import is_followup, marketing_stop_reason
from ..followups.unsubscribe import unsubscribe_token
from ..leads.models import Lead
from ..leads.service import RESUBSCRIBE_TEMPLATE
from ..links import public_url
from .models import OutboxMessage


def reason_not_to_send(message: OutboxMessage) -> str | None:
    """Why this message must not go now (it is then cancelled), or None to send it.

    Transactional mail (what the person asked for) always goes. Marketing mail goes only
    where the stop rule (followups.stops) lets it, asked now rather than when it was queued.
    """
    if reply_mail_stopped(message):
        return "the commenter stopped reply notifications"
    if message.category != "marketing":
        return None
    lead = db.session.get(Lead, message.lead_id) if message.lead_id else None
    return marketing_stop_reason(lead, followup=is_followup(message))


def sender_for(message: OutboxMessage) -> str:
    """Transactional and marketing mail may come from different addresses."""
    config = current_app.config
    return config["MAIL_MARKETING_SENDER"] if message.category == "marketing" else config["MAIL_DEFAULT_SENDER"]


def extra_headers_for(message: OutboxMessage, context: dict) -> dict:
    """Headers beyond the basics; for marketing mail also sets context["unsubscribe_url"].

    Marketing mail carries List-Id and the RFC 8058 one-click unsubscribe headers, and its
    footer shows the same link. Links name PUBLIC_BASE_URL.
    """
    double_opt_in = current_app.config["DOUBLE_OPT_IN"]
    # Transactional mail needs the lead only for the confirmation link: no query per message without it.
    needs_lead = message.lead_id and (
        message.category == "marketing" or double_opt_in or message.template == RESUBSCRIBE_TEMPLATE
    )
    lead = db.session.get(Lead, message.lead_id) if needs_lead else None
    if message.category != "marketing":
        # With DOUBLE_OPT_IN, what the lead asked for carries the link that starts marketing.
        if needs_confirmation_link(lead, message.template, double_opt_in):
            context["confirm_url"] = public_url("followups.confirm", token=confirmation_token(lead))
        # A reply notification to a commenter carries its own one-click "stop these emails".
        if stop_url := stop_replies_url(message):
            context["stop_replies_url"] = stop_url
            return one_click_headers(stop_url)
        return {}
    headers = {"List-Id": current_app.config["MAIL_LIST_ID"]}
    if lead is not None:
        url = public_url("followups.unsubscribe", token=unsubscribe_token(lead))
        context["unsubscribe_url"] = url
        headers |= one_click_headers(url)
    return headers


def one_click_headers(url: str) -> dict:
    """RFC 8058: the link a mail client's unsubscribe button POSTs to, without a page."""
    # One line: render.py flattens with a 998 limit.
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
