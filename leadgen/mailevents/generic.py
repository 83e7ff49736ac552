"""generic: our own JSON, signed with HMAC-SHA256(MAIL_EVENTS_SECRET, raw body).

Header `X-Leadgen-Signature: sha256=<hex>`. Without MAIL_EVENTS_SECRET every call is refused.
"""

import hashlib
import hmac

from marshmallow import ValidationError

from .reports import Malformed, Notice, Refused, Report, json_object
from .schemas import GenericEventSchema

SIGNATURE_HEADER = "X-Leadgen-Signature"


def signature(secret: str, body: bytes) -> str:
    """The header value a sender puts on `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def parse(body: bytes, headers, config) -> Report:
    """Check the signature first (401 before anything is read), then the body (422 per field)."""
    secret = config.get("MAIL_EVENTS_SECRET")
    given = headers.get(SIGNATURE_HEADER, "")
    if not secret or not hmac.compare_digest(given.encode(), signature(secret, body).encode()):
        raise Refused("missing or wrong X-Leadgen-Signature")
    try:
        event = GenericEventSchema().load(json_object(body))
    except ValidationError as error:
        raise Malformed(error.normalized_messages(), status=422) from None
    kinds = {"complaint": "complaint", "bounce": "bounce" if event["permanent"] else "soft_bounce"}
    kind = kinds[event["type"]]
    return Report(notices=[Notice(kind, event["email"])])
