"""What a broadcast's form and API body accept, and what the API answers."""

from collections.abc import Mapping
from datetime import datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from ..clinictime import clinic_zone
from ..database import utcnow
from ..fields import PlainText
from ..leads.filters import LeadFilterSchema
from .mail import PLACEHOLDERS, words_errors

AUDIENCE_FIELDS = ("source", "tag", "since", "until")
PAST_SEND_AT = "Choose a time in the future, or leave it empty to send now."


class AudienceSchema(LeadFilterSchema):
    """Who a broadcast goes to: the lead list's own filters (source, tag, since, until)."""

    @pre_load
    def drop_empty_values(self, data, **kwargs):
        """As the lead list's, once the audience is known to be an object (an API body may send anything)."""
        if not isinstance(data, Mapping):
            raise ValidationError('Give the audience as an object, e.g. {"source": "ebook"}.')
        return super().drop_empty_values(data, **kwargs)


def audience_schema() -> AudienceSchema:
    """The audience filters only (the lead list's other filters are not a broadcast's)."""
    return AudienceSchema(only=AUDIENCE_FIELDS)


class BroadcastCreateSchema(Schema):
    """A broadcast as staff write it: the words, the audience, and when it goes (default now)."""

    class Meta:
        unknown = EXCLUDE

    subject = PlainText(
        required=True,
        max_length=150,
        label="the subject",
        required_message="Enter a subject.",
        error_messages={"required": "Enter a subject."},
        metadata={"description": "placeholders: " + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)},
    )
    body = fields.String(
        required=True,
        validate=validate.Length(min=1, max=20_000, error="Write the message (at most {max} characters)."),
        error_messages={"required": "Write the message."},
        metadata={"description": "Markdown; the same placeholders as the subject"},
    )
    audience = fields.Nested(AudienceSchema, only=AUDIENCE_FIELDS, load_default=dict)
    send_at = fields.AwareDateTime(
        format="iso",
        allow_none=True,
        error_messages={"invalid": "Give the time with its timezone, e.g. 2026-12-03T18:00:00-06:00."},
        metadata={"description": "when it goes (ISO 8601 with timezone); omit to send now"},
    )

    @validates_schema
    def check_sendable(self, data, **kwargs):
        """Words that render with known placeholders, and a time still ahead (after the fields load)."""
        errors = words_errors(data["subject"], data["body"])
        if data.get("send_at") and data["send_at"] <= utcnow():
            errors["send_at"] = [PAST_SEND_AT]
        if errors:
            raise ValidationError(errors)


class ClinicLocalDateTime(fields.Field):
    """A datetime-local form value ("2026-12-03T18:00"), in the clinic's time zone."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError as error:
            raise ValidationError("Enter a date and time, e.g. 2026-12-03 18:00.") from error
        return moment if moment.tzinfo else moment.replace(tzinfo=clinic_zone())


class BroadcastFormSchema(BroadcastCreateSchema):
    """The console's form: the audience fields sit beside the words, the time in clinic time."""

    send_at = ClinicLocalDateTime(allow_none=True)

    @pre_load
    def nest_audience(self, data, **kwargs):
        """source, tag, since and until are the form's own fields; an empty value means "any"."""
        data = {key: value for key, value in dict(data).items() if str(value).strip() != ""}
        data["audience"] = {name: data.pop(name) for name in AUDIENCE_FIELDS if name in data}
        return data


def flat_errors(errors: dict) -> dict:
    """Form messages by field: the audience's fields beside the others."""
    audience = errors.get("audience")
    flat = {key: value for key, value in errors.items() if key != "audience"}
    if isinstance(audience, dict):
        flat.update(audience)
    return flat


class BroadcastCreatedSchema(Schema):
    """The new broadcast and how many leads it was queued for."""

    id = fields.Integer(required=True)
    recipients = fields.Integer(required=True)


class BroadcastProgressSchema(Schema):
    """A broadcast's state and how its mail is going."""

    id = fields.Integer(required=True)
    status = fields.String(
        required=True,
        metadata={"enum": ["scheduled", "sending", "sent", "cancelled"]},
    )
    recipients = fields.Integer(required=True, metadata={"description": "leads it was queued for"})
    sent = fields.Integer(required=True, metadata={"description": "accepted by the relay"})
    skipped = fields.Integer(
        required=True, metadata={"description": "not sent: a stop rule at send time (unsubscribed...) or cancelled"}
    )
    failed = fields.Integer(required=True, metadata={"description": "the relay refused it for good"})
    queued = fields.Integer(required=True, metadata={"description": "still to go"})
