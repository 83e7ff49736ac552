"""Deliver one webhook call from the outbox: a signed JSON POST, retried with the outbox's back-off."""

import hashlib
import hmac
import http.client
import logging
import socket
import ssl
from http import HTTPStatus
from urllib.parse import urlsplit

from flask import current_app

from ..extensions import db
from ..webhooks.models import Webhook
from ..webhooks.service import canonical_json
from ..webhooks.targets import TargetRefused, checked_addresses, host_and_port
from . import service
from .models import OutboxMessage

log = logging.getLogger(__name__)

USER_AGENT = "leadgen-webhooks/1"


def connect_to_first(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers (never a new DNS lookup)."""
    error: OSError = OSError("the name resolved to no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as refused:
            error = refused
    raise error


class CheckedHTTPConnection(http.client.HTTPConnection):
    """HTTP to addresses checked beforehand: the Host header names the host, the socket goes to the address."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = connect_to_first(self.addresses, self.port, self.timeout)


class CheckedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to addresses checked beforehand; the certificate is still verified against the host name."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        raw = connect_to_first(self.addresses, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def signature(secret: str, body: bytes) -> str:
    """The X-Leadgen-Signature value: sha256=<hex HMAC-SHA256 of the exact body bytes>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, headers: dict, timeout: float, allow_private: bool) -> int:
    """POST to the URL's checked addresses and return the status; the answer's body is never read.

    Raises TargetRefused for a host on the server's own network, OSError when it cannot be
    reached. A redirect is returned as its status, not followed.
    """
    host, port = host_and_port(url)
    addresses = checked_addresses(host, port, allow_private)
    parts = urlsplit(url)
    connection_class = CheckedHTTPSConnection if parts.scheme == "https" else CheckedHTTPConnection
    connection = connection_class(host, port, addresses, timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body, headers)
        return connection.getresponse().status
    finally:
        connection.close()


def answer_reason(status: int) -> str:
    """A short reason for staff: the standard phrase of the status, never what the receiver wrote."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "non-standard status"
    if 300 <= status < 400:
        return f"{phrase}; redirects are not followed, enter the address it moved to"
    return phrase


def deliver_webhook(message: OutboxMessage) -> None:
    """POST the event to the webhook's URL; 2xx is sent, anything else is retried, then failed.

    410 Gone means the receiver removed the endpoint, and a host that now resolves to the
    server's own network is refused: neither is retried. Staff see the status and its standard
    phrase, never the answer's body. The body we send is the event as
    stored at emit time, so every attempt sends the same bytes with the same event id.
    """
    webhook = db.session.get(Webhook, message.context.get("webhook_id"))
    if webhook is None or not webhook.active:
        service.cancel(message, "the webhook was removed or disabled")
        return
    config = current_app.config
    body = canonical_json(message.context["payload"])
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Leadgen-Event": message.context["event"],
        "X-Leadgen-Delivery": message.context["payload"]["id"],
        "X-Leadgen-Signature": signature(webhook.secret, body),
    }
    try:
        status = post(message.webhook_url, body, headers, config["SMTP_TIMEOUT"], config["WEBHOOK_ALLOW_PRIVATE"])
    except TargetRefused as refused:  # checked again after DNS: the name may point elsewhere now
        log.warning("webhook %s: refused %s: %s", message.id, message.webhook_url, refused)
        service.record_failure(message, f"refused {message.webhook_url}: {refused}", permanent=True)
        return
    except (OSError, http.client.HTTPException, ValueError) as error:  # refused, timed out, bad URL
        log.warning("webhook %s: could not reach %s: %r", message.id, message.webhook_url, error)
        service.record_failure(message, f"could not reach {message.webhook_url}: {error!r}"[:500])
        return
    if 200 <= status < 300:
        service.mark_sent(message)
        log.info("webhook %s (%s) delivered to %s", message.id, message.webhook_event, message.webhook_url)
        return
    log.warning("webhook %s: %s answered %s", message.id, message.webhook_url, status)
    # The answer's body stays unread: staff must not be able to read other services through a webhook.
    reason = f"HTTP {status} from {message.webhook_url}: {answer_reason(status)}"
    service.record_failure(message, reason, permanent=status == 410)
