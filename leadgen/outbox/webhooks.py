"""Deliver one webhook call from the outbox: a signed JSON POST, retried with the outbox's back-off."""

import hashlib
import hmac
import http.client
import logging
import urllib.error
import urllib.request

from flask import current_app

from ..extensions import db
from ..webhooks.models import Webhook
from ..webhooks.service import canonical_json
from . import service
from .models import OutboxMessage

log = logging.getLogger(__name__)

USER_AGENT = "leadgen-webhooks/1"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would turn our POST into a GET elsewhere: treat it as a failure to fix the URL."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def signature(secret: str, body: bytes) -> str:
    """The X-Leadgen-Signature value: sha256=<hex HMAC-SHA256 of the exact body bytes>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, str]:
    """POST and return (status, start of the answer); HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read(500).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(500).decode("utf-8", "replace")


def deliver_webhook(message: OutboxMessage) -> None:
    """POST the event to the webhook's URL; 2xx is sent, anything else is retried, then failed.

    410 Gone means the receiver removed the endpoint: no retry. The body is the event as
    stored at emit time, so every attempt sends the same bytes with the same event id.
    """
    webhook = db.session.get(Webhook, message.context.get("webhook_id"))
    if webhook is None or not webhook.active:
        service.cancel(message, "the webhook was removed or disabled")
        return
    body = canonical_json(message.context["payload"])
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Leadgen-Event": message.context["event"],
        "X-Leadgen-Delivery": message.context["payload"]["id"],
        "X-Leadgen-Signature": signature(webhook.secret, body),
    }
    try:
        status, answer = post(message.recipient, body, headers, current_app.config["SMTP_TIMEOUT"])
    except (OSError, http.client.HTTPException, ValueError) as error:  # refused, timed out, bad URL
        log.warning("webhook %s: could not reach %s: %r", message.id, message.recipient, error)
        service.record_failure(message, f"could not reach {message.recipient}: {error!r}")
        return
    if 200 <= status < 300:
        service.mark_sent(message)
        log.info("webhook %s (%s) delivered to %s", message.id, message.template, message.recipient)
        return
    log.warning("webhook %s: %s answered %s", message.id, message.recipient, status)
    service.record_failure(
        message, f"HTTP {status} from {message.recipient}: {answer.strip()[:300]}", permanent=status == 410
    )
