"""What the staff lead endpoints accept and answer, and the one answer of every public capture."""

from marshmallow import Schema, fields, validate

from ..fields import RowId, TagName
from .filters import CursorField, LeadFilterSchema
from .status import STAFF_STATUSES


class AcceptedSchema(Schema):
    """The answer to every public capture: the same for an address we know and one we have never seen."""

    status = fields.Constant(
        "accepted",
        required=True,
        metadata={"description": "Always accepted: what happens next arrives by email", "enum": ["accepted"]},
    )

    @classmethod
    def answer(cls) -> dict:
        """The body of the answer (a plain dict, so no caller can add to it by accident)."""
        return {"status": "accepted"}


class LeadListArgsSchema(LeadFilterSchema):
    """The list filters plus the page: `cursor` is the `next_cursor` of the previous page."""

    cursor = CursorField(metadata={"description": "next_cursor of the previous page; omit for the first"})
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=1000, error="Choose a page size from 1 to 1000."),
    )


class ConsoleLeadListSchema(LeadFilterSchema):
    """The console list's filters plus `after`, the cursor of the last lead on the page before."""

    after = CursorField()


class LeadSchema(Schema):
    """A lead as the CRM sees it: source, first-touch UTM, consent and status."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    source = fields.String(required=True)
    status = fields.String(required=True)
    utm_source = fields.String(allow_none=True)
    utm_medium = fields.String(allow_none=True)
    utm_campaign = fields.String(allow_none=True)
    utm_content = fields.String(allow_none=True)
    utm_term = fields.String(allow_none=True)
    referrer = fields.String(allow_none=True)
    landing_path = fields.String(allow_none=True, metadata={"description": "the page the first form sat on"})
    marketing_consent = fields.Boolean(required=True)
    confirmed_at = fields.DateTime(allow_none=True)
    unsubscribed_at = fields.DateTime(allow_none=True)
    activities_count = fields.Integer(required=True)
    tags = fields.List(fields.String(), required=True, metadata={"description": "the lead's tags, sorted"})
    created_at = fields.DateTime(required=True)


class LeadPageSchema(Schema):
    """One page of leads, oldest first; `next_cursor` is null on the last page."""

    leads = fields.List(fields.Nested(LeadSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class LeadStatusSchema(Schema):
    """A status staff set: contacted or booked (both stop the follow-ups)."""

    status = fields.String(
        required=True,
        validate=validate.OneOf(STAFF_STATUSES, error="Choose one of: {choices}."),
        error_messages={"required": "Choose contacted or booked."},
    )


class TagPathSchema(Schema):
    """The path of `/leads/<lead_id>/tags/<tag>`: a tag is lower-case letters, digits and hyphens."""

    lead_id = RowId(required=True)
    tag = TagName(required=True)


class TagFormSchema(Schema):
    """The tag staff type on the lead page or above the list."""

    tag = TagName(required=True, error_messages={"required": "Enter a tag."})


class BulkTagSchema(Schema):
    """Tag or untag every lead of the list's filters (which come beside it: `tag` there is a filter)."""

    bulk_tag = TagName(required=True, error_messages={"required": "Enter a tag."})
    action = fields.String(
        required=True,
        validate=validate.OneOf(("add", "remove"), error="Choose add or remove."),
        error_messages={"required": "Choose add or remove."},
    )
