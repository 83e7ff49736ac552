"""What the webhook form accepts."""

from marshmallow import Schema, fields, validate

from ..leads.fields import PlainText
from .models import EVENTS


class WebhookSchema(Schema):
    """A new webhook: where to POST, and which events."""

    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,  # the CRM may live on the clinic's own network
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
