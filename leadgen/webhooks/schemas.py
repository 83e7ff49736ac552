"""What the webhook form accepts."""

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate, validates

from ..fields import PlainText
from .models import EVENTS
from .targets import TargetRefused, check_new_target, host_and_port


class WebhookSchema(Schema):
    """A new webhook: where to POST, and which events."""

    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,  # with WEBHOOK_ALLOW_PRIVATE the CRM may live on the clinic's own network
        validate=validate.Length(max=500, error="Keep the address under 500 characters."),
        error_messages={
            "required": "Enter the address the CRM gave you, like https://crm.example/hooks/leads.",
            "invalid": "Enter a full http:// or https:// address, like https://crm.example/hooks/leads.",
        },
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENTS, error="Choose among the listed events.")),
        required=True,
        validate=validate.Length(min=1, error="Choose at least one event."),
        error_messages={"required": "Choose at least one event."},
    )
    description = PlainText(max_length=200, label="the description", load_default="")

    @validates("url")
    def refuse_own_network(self, url: str, **kwargs) -> None:
        """Refuse this server's own network (loopback, private, link-local...) unless WEBHOOK_ALLOW_PRIVATE."""
        try:
            host, port = host_and_port(url)
        except ValueError:  # a port past 65535
            raise ValidationError("Enter a port between 1 and 65535 (or none).") from None
        try:
            check_new_target(host, port, current_app.config["WEBHOOK_ALLOW_PRIVATE"])
        except TargetRefused as refused:
            raise ValidationError(
                f"{refused}. Webhooks may not reach this server's own network: "
                "enter the CRM's address on the internet, like https://crm.example/hooks/leads."
            ) from None
