"""mailgun: Mailgun's webhooks (failed, complained, delivered), signed with the signing key.

{"signature": {"timestamp", "token", "signature"}, "event-data": {...}}: the signature is
hex HMAC-SHA256(MAIL_EVENTS_MAILGUN_KEY, timestamp + token). A timestamp older than
MAX_AGE is refused, and a token is applied once (the receipt), so a captured call cannot
be replayed.
"""

import hashlib
import hmac
import time

from .reports import Malformed, Notice, Refused, Report, json_object

MAX_AGE_SECONDS = 5 * 60


def check_signature(data: dict, key: str | None) -> str:
    """The token of a genuine, fresh call; Refused otherwise."""
    signed = data.get("signature")
    if not key or not isinstance(signed, dict):
        raise Refused("no signing key or no signature")
    timestamp, token, signature = (signed.get(name) for name in ("timestamp", "token", "signature"))
    if not all(isinstance(value, str) and value for value in (timestamp, token, signature)):
        raise Refused("incomplete signature")
    expected = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise Refused("wrong signature")
    try:
        age = time.time() - int(timestamp)
    except ValueError:
        raise Refused("timestamp is not a number") from None
    if abs(age) > MAX_AGE_SECONDS:
        raise Refused("stale timestamp")
    return token


def kind_of(event: dict) -> str | None:
    name = event.get("event")
    if name == "complained":
        return "complaint"
    if name == "delivered":
        return "delivery"
    if name == "failed":
        return "bounce" if event.get("severity") == "permanent" else "soft_bounce"
    return None  # opened, clicked, unsubscribed, accepted...: nothing about the address


def parse(body: bytes, headers, config) -> Report:
    data = json_object(body)
    token = check_signature(data, config.get("MAIL_EVENTS_MAILGUN_KEY"))
    event = data.get("event-data")
    if not isinstance(event, dict):
        raise Malformed({"event-data": ["Missing or not an object."]})
    kind = kind_of(event)
    if kind is None:
        return Report()
    recipient = event.get("recipient")
    if not isinstance(recipient, str) or not recipient:
        raise Malformed({"event-data": {"recipient": ["Missing or not a string."]}})
    return Report(notices=[Notice(kind, recipient)], receipt=f"token:{token}")
