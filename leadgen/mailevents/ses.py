"""ses: Amazon SES notifications (Bounce, Complaint, Delivery) arriving as SNS HTTP(S) messages.

The SNS signature is verified first (sns.py). A SubscriptionConfirmation is confirmed by
fetching its SubscribeURL, when that URL is https on an allowed host too; otherwise it is
logged for the operator to open by hand. Each MessageId is applied once.
"""

import json
import logging

from . import sns
from .reports import Malformed, Notice, Report, json_object, text_field

log = logging.getLogger(__name__)

SUBSCRIPTION_TYPES = ("SubscriptionConfirmation", "UnsubscribeConfirmation")


def confirm_subscription(message: dict, cert_hosts: list[str]) -> None:
    """Open the SubscribeURL (as AWS asks) when it is on an allowed host; else log it."""
    url = message.get("SubscribeURL")
    if message.get("Type") != "SubscriptionConfirmation":
        log.info("SNS %s for %s", message.get("Type"), message.get("TopicArn"))
        return
    if not sns.allowed_url(url, cert_hosts):
        log.warning(
            "SNS subscription to %s not confirmed: SubscribeURL %r is not on an allowed host; "
            "open it by hand if you expect it",
            message.get("TopicArn"),
            url,
        )
        return
    try:
        sns.fetch(url)
    except OSError as error:
        log.warning("could not confirm the SNS subscription to %s: %r", message.get("TopicArn"), error)
        return
    log.info("confirmed the SNS subscription to %s", message.get("TopicArn"))


def recipients(section: object, list_name: str) -> list[str]:
    """The addresses listed in a bounce's, complaint's or delivery's section."""
    if not isinstance(section, dict) or not isinstance(section.get(list_name), list):
        raise Malformed({list_name: ["Missing or not a list."]})
    found = []
    for entry in section[list_name]:
        address = entry.get("emailAddress") if isinstance(entry, dict) else entry
        if isinstance(address, str) and address:
            found.append(address)
    return found


def notices(notification: dict) -> list[Notice]:
    """SES's notificationType (or eventType, for configuration-set events) in our words."""
    kind = notification.get("notificationType") or notification.get("eventType")
    if kind == "Bounce":
        bounce = notification.get("bounce")
        permanent = isinstance(bounce, dict) and bounce.get("bounceType") == "Permanent"
        return [Notice("bounce" if permanent else "soft_bounce", a) for a in recipients(bounce, "bouncedRecipients")]
    if kind == "Complaint":
        complaint = notification.get("complaint")
        return [Notice("complaint", address) for address in recipients(complaint, "complainedRecipients")]
    if kind == "Delivery":
        return [Notice("delivery", address) for address in recipients(notification.get("delivery"), "recipients")]
    return []


def parse(body: bytes, headers, config) -> Report:
    message = json_object(body)
    cert_hosts = config["MAIL_EVENTS_SNS_CERT_HOSTS"]
    sns.verify(message, cert_hosts)
    message_type = text_field(message, "Type")
    if message_type in SUBSCRIPTION_TYPES:
        confirm_subscription(message, cert_hosts)
        return Report()
    if message_type != "Notification":
        return Report()
    try:
        notification = json.loads(text_field(message, "Message"))
    except ValueError:
        raise Malformed({"Message": ["Not JSON."]}) from None
    if not isinstance(notification, dict):
        raise Malformed({"Message": ["Not a JSON object."]})
    return Report(notices=notices(notification), receipt=f"sns:{message['MessageId']}")
