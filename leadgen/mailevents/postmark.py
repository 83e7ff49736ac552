"""postmark: Postmark's Bounce, SpamComplaint and Delivery webhooks.

Postmark signs nothing; it sends the user and password written into the webhook URL
(https://USER:PASSWORD@host/hooks/mail/postmark) as HTTP basic auth. We check them against
MAIL_EVENTS_POSTMARK_USER and MAIL_EVENTS_POSTMARK_PASSWORD (default: MAIL_EVENTS_SECRET).
"""

import hmac

from werkzeug.datastructures import Authorization

from .reports import Malformed, Notice, Refused, Report, json_object, text_field

# Postmark's bounce Types (their bounce-types reference): what each means for the address.
PERMANENT = {"HardBounce", "BadEmailAddress", "ManuallyDeactivated"}
SOFT = {"SoftBounce", "Transient", "DnsError", "Undeliverable", "MailboxFull", "InboxFull", "Blocked"}
COMPLAINT = {"SpamComplaint"}
# Others (AutoResponder, AddressChange, Subscribe, Unsubscribe, ChallengeVerification,
# OpenRelayTest, VirusNotification, DMARCPolicy, Unknown, ...) say nothing about the address.


def check_credentials(headers, config) -> None:
    """Basic auth must match; with no password set every call is refused."""
    password = config.get("MAIL_EVENTS_POSTMARK_PASSWORD") or config.get("MAIL_EVENTS_SECRET")
    user = config.get("MAIL_EVENTS_POSTMARK_USER") or "postmark"
    given = Authorization.from_header(headers.get("Authorization"))
    if not password or given is None or given.type != "basic":
        raise Refused("missing basic auth")
    same_user = hmac.compare_digest((given.username or "").encode(), user.encode())
    same_password = hmac.compare_digest((given.password or "").encode(), password.encode())
    if not (same_user and same_password):
        raise Refused("wrong basic auth")


def kind_of(data: dict) -> str | None:
    """bounce, soft_bounce, complaint, delivery, or None for records that say nothing."""
    record_type = text_field(data, "RecordType")
    if record_type == "SpamComplaint":
        return "complaint"
    if record_type == "Delivery":
        return "delivery"
    if record_type != "Bounce":
        return None
    bounce_type = text_field(data, "Type")
    if bounce_type in COMPLAINT:
        return "complaint"
    if bounce_type in PERMANENT:
        return "bounce"
    if bounce_type in SOFT:
        return "soft_bounce"
    return None


def parse(body: bytes, headers, config) -> Report:
    check_credentials(headers, config)
    data = json_object(body)
    kind = kind_of(data)
    if kind is None:
        return Report()
    address = data.get("Recipient") if kind == "delivery" else data.get("Email")
    if not isinstance(address, str) or not address:
        raise Malformed({"Email": ["Missing or not a string."]})
    # A record's ID names it; Postmark retries a call it did not see answered with the same one.
    record_id = data.get("ID")
    receipt = f"{data['RecordType']}:{record_id}" if isinstance(record_id, int | str) and record_id != "" else None
    return Report(notices=[Notice(kind, address)], receipt=receipt)
