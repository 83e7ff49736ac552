"""What the conversion report takes (the page's form and the API's query) and answers."""

from datetime import date, timedelta

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from ..clinictime import clinic_today
from .service import GROUPINGS

DATE_MESSAGE = "Enter a date like 2026-11-24."
# Days the report covers when no start day is chosen. The report reads every lead of its days,
# so a bounded default keeps it costing a month of leads however many years the table holds.
DEFAULT_DAYS = 30


class ReportArgsSchema(Schema):
    """by: source, campaign, article or offer; since/until: clinic days, both included, both optional
    (no since: the DEFAULT_DAYS days up to until, or up to today)."""

    by = fields.String(
        load_default="source",
        validate=validate.OneOf(tuple(GROUPINGS), error="Choose one of: {choices}."),
        metadata={
            "description": "source (the form), campaign (first-touch utm_campaign), article (landing path) "
            "or offer (the ebook or webinar a lead first took)"
        },
    )
    since = fields.Date(
        error_messages={"invalid": DATE_MESSAGE},
        metadata={"description": "created on or after (default: 30 days up to `until`, or up to today)"},
    )
    until = fields.Date(error_messages={"invalid": DATE_MESSAGE}, metadata={"description": "created on or before"})

    @pre_load
    def drop_empty_values(self, data, **kwargs):
        """A form submitted untouched (`?since=`) means the day was not chosen."""
        return {key: value for key, value in dict(data).items() if str(value).strip() != ""}

    @validates_schema
    def check_range(self, data, **kwargs):
        """A range that ends before it starts is a mistake worth telling the user about."""
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("The end date must be on or after the start date.", "until")

    @post_load
    def default_range(self, data, **kwargs):
        """No start day: the last DEFAULT_DAYS days up to the end day (or today), both included."""
        if data.get("since") is None:
            until = data.get("until") or clinic_today()
            days_before = min(timedelta(days=DEFAULT_DAYS - 1), until - date.min)  # the calendar's first days
            data["since"] = until - days_before
        return data


class ConversionRowSchema(Schema):
    """One group of the report."""

    key = fields.String(allow_none=True, metadata={"description": "null: no campaign or landing path"})
    leads = fields.Integer(required=True)
    consented = fields.Integer(required=True, metadata={"description": "consented to marketing, not unsubscribed"})
    contacted = fields.Integer(required=True, metadata={"description": "status contacted or booked"})
    booked = fields.Integer(required=True)
    callbacks = fields.Integer(required=True, metadata={"description": "leads who asked for a call back"})
    booked_rate = fields.Float(required=True, metadata={"description": "booked / leads, 0 to 1"})
