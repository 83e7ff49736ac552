"""What the conversion report takes (the page's form and the API's query) and answers."""

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from .service import GROUPINGS

DATE_MESSAGE = "Enter a date like 2026-11-24."


class ReportArgsSchema(Schema):
    """by: source, campaign or article; since/until: clinic days, both included, both optional."""

    by = fields.String(
        load_default="source",
        validate=validate.OneOf(tuple(GROUPINGS), error="Choose one of: {choices}."),
        metadata={
            "description": "source (the form), campaign (first-touch utm_campaign), article (landing path) "
            "or offer (the ebook or webinar a lead first took)"
        },
    )
    since = fields.Date(error_messages={"invalid": DATE_MESSAGE}, metadata={"description": "created on or after"})
    until = fields.Date(error_messages={"invalid": DATE_MESSAGE}, metadata={"description": "created on or before"})

    @pre_load
    def drop_empty_values(self, data, **kwargs):
        """A form submitted untouched (`?since=`) means no limit."""
        return {key: value for key, value in dict(data).items() if str(value).strip() != ""}

    @validates_schema
    def check_range(self, data, **kwargs):
        """A range that ends before it starts is a mistake worth telling the user about."""
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("The end date must be on or after the start date.", "until")


class ConversionRowSchema(Schema):
    """One group of the report."""

    key = fields.String(allow_none=True, metadata={"description": "null: no campaign or landing path"})
    leads = fields.Integer(required=True)
    consented = fields.Integer(required=True, metadata={"description": "consented to marketing, not unsubscribed"})
    contacted = fields.Integer(required=True, metadata={"description": "status contacted or booked"})
    booked = fields.Integer(required=True)
    callbacks = fields.Integer(required=True, metadata={"description": "leads who asked for a call back"})
    booked_rate = fields.Float(required=True, metadata={"description": "booked / leads, 0 to 1"})
