"""Staff endpoints for leads in the JSON API (bearer token from `staff token`)."""

from flask import abort, g

from ..extensions import ApiBlueprint
from ..privacy import access, erasure
from ..staff.auth import STAFF_TOKEN, api_staff_required
from . import listing, status, tags
from .schemas import LeadListArgsSchema, LeadPageSchema, LeadSchema, LeadStatusSchema, TagPathSchema

blp = ApiBlueprint("leads_api", __name__, url_prefix="/api/v1", description="Leads (staff)")


def documented_errors(view):
    """The answers every staff endpoint may give besides success, in the OpenAPI."""
    view = blp.alt_response(401, description="No valid staff API token")(view)
    return blp.alt_response(403, description="The token's role may not do this")(view)


@blp.route("/leads", methods=["GET"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@documented_errors
@blp.arguments(LeadListArgsSchema, location="query")
@blp.response(200, LeadPageSchema)
def list_leads(args):
    """List leads, oldest first, a page at a time

    Filters as in the console's list. Pass `next_cursor` back as `cursor` for the next
    page; leads that arrive meanwhile appear on later pages, each lead exactly once.
    A cursor that was not issued by us answers 422.
    """
    page = listing.lead_page(args, args.get("cursor"), args["limit"])
    return {"leads": page.items, "next_cursor": page.next_cursor}


@blp.route("/leads/<int:lead_id>", methods=["PATCH"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@documented_errors
@blp.arguments(LeadStatusSchema)
@blp.response(200, LeadSchema)
@blp.alt_response(404, description="No such lead")
def update_lead(data, lead_id: int):
    """Mark a lead contacted or booked

    Records who did it in the lead's timeline and cancels its queued follow-up mail.
    """
    lead = status.mark_lead(lead_id, data["status"], g.staff_user.email)
    if lead is None:
        abort(404, description="No lead with this id.")
    return listing.lead_summary(lead)


@blp.route("/leads/<int:lead_id>/tags/<tag>", methods=["PUT"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@documented_errors
@blp.arguments(TagPathSchema, location="path", as_kwargs=True)
@blp.response(204)
@blp.alt_response(404, description="No such lead")
def put_tag(lead_id: int, tag: str):
    """Put a tag on a lead

    The tag is created the first time it is used. Putting a tag the lead already carries
    changes nothing. A tag is lower-case letters, digits and hyphens: anything else is 422.
    """
    if tags.add_tag(lead_id, tag) is None:
        abort(404, description="No lead with this id.")


@blp.route("/leads/<int:lead_id>/tags/<tag>", methods=["DELETE"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@documented_errors
@blp.arguments(TagPathSchema, location="path", as_kwargs=True)
@blp.response(204)
@blp.alt_response(404, description="No such lead")
def delete_tag(lead_id: int, tag: str):
    """Take a tag off a lead

    Taking off a tag the lead does not carry changes nothing (still 204).
    """
    if tags.remove_tag(lead_id, tag) is None:
        abort(404, description="No lead with this id.")


@blp.route("/leads/<int:lead_id>", methods=["DELETE"])
@api_staff_required(role="admin")
@blp.doc(security=STAFF_TOKEN)
@documented_errors
@blp.response(204)
@blp.alt_response(404, description="No such lead")
def delete_lead(lead_id: int):
    """Erase a lead (GDPR art. 17; admin only)

    Removes the lead, consents, activities, every mail to them and the personal fields of
    their comments; keeps a hashed-email tombstone and who erased them.
    """
    if not erasure.erase_lead(lead_id, erased_by=g.staff_user.email):
        abort(404, description="No lead with this id.")


@blp.route("/leads/<int:lead_id>/export", methods=["GET"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@documented_errors
@blp.response(
    200, description="The lead, consents, activities, emails (and broadcasts still to come), comments as JSON"
)
@blp.alt_response(404, description="No such lead")
def export_lead(lead_id: int):
    """Everything held about one lead (subject access, GDPR art. 15)"""
    data = access.subject_access_export(lead_id)
    if data is None:
        abort(404, description="No lead with this id.")
    return data
