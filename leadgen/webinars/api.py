"""Webinar endpoints of the JSON API: the list and registration for the clinic's site, creation for staff."""

from flask import abort
from flask_smorest import abort as api_abort

from ..extensions import ApiBlueprint
from ..forms import current_visit
from ..leads.schemas import AcceptedSchema
from ..ratelimits import public_post_limit
from ..staff.auth import STAFF_TOKEN, api_staff_required
from . import registration, service
from .schemas import (
    RegistrantSchema,
    RegistrationSchema,
    WebinarCreatedSchema,
    WebinarCreateSchema,
    WebinarDetailSchema,
    WebinarPatchSchema,
    WebinarSchema,
)

blp = ApiBlueprint("webinars_api", __name__, url_prefix="/api/v1", description="Webinars")


@blp.route("/webinars", methods=["GET"])
@blp.response(200, WebinarSchema(many=True))
def list_webinars():
    """List upcoming webinars

    Webinars that have not started, soonest first, with the seats still free.
    """
    return service.open_webinars()


@blp.route("/webinars/<slug>/registrations", methods=["POST"])
@public_post_limit
@blp.arguments(RegistrationSchema)
@blp.response(202, AcceptedSchema)
@blp.alt_response(404, description="No webinar has this slug")
@blp.alt_response(409, description="All seats are taken")
@blp.alt_response(410, description="The webinar has started, ended or been cancelled")
def create_registration(data, slug: str):
    """Register for a webinar

    Queues the confirmation (join link, .ics attached) and the reminders. The same
    person registering again keeps their seat and gets no second email; the answer is
    the same either way, so it never tells who is registered.
    """
    webinar = service.find_webinar(slug)
    if webinar is None:
        abort(404, description="No webinar has this slug.")
    try:
        registration.register(webinar, data, current_visit(data))
    except registration.RegistrationRefused as refused:
        abort(409 if refused.state == "full" else 410, description=refused.message)
    return AcceptedSchema.answer()


@blp.route("/webinars", methods=["POST"])
@api_staff_required()  # before the body is read: no token, 401, whatever the body
@blp.doc(security=STAFF_TOKEN)
@blp.arguments(WebinarCreateSchema)
@blp.response(201, WebinarCreatedSchema)
@blp.alt_response(401, description="No valid staff token")
def create_webinar(data):
    """Schedule a webinar (staff)

    `starts_at` must carry its timezone (e.g. `2026-12-03T18:00:00-06:00`); a naive time is a 422.
    """
    return {"slug": service.create_webinar(data).slug}


def staff_webinar(slug: str):
    """The webinar for a staff call, or 404."""
    webinar = service.find_webinar(slug)
    if webinar is None:
        abort(404, description="No webinar has this slug.")
    return webinar


@blp.route("/webinars/<slug>", methods=["PATCH"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@blp.arguments(WebinarPatchSchema(partial=True))
@blp.response(200, WebinarDetailSchema)
@blp.alt_response(401, description="No valid staff token")
@blp.alt_response(404, description="No webinar has this slug")
@blp.alt_response(409, description="The webinar is cancelled and can no longer change")
def change_webinar(data, slug: str):
    """Change or cancel a webinar (staff)

    A new `starts_at` or `duration_minutes` moves every queued reminder and follow-up and
    mails each registrant the new time with an updated `.ics` (same UID, SEQUENCE + 1).
    `{"status": "cancelled"}` (alone) cancels it: registrants get a `METHOD:CANCEL` `.ics`.
    """
    webinar = staff_webinar(slug)
    if webinar.status == "cancelled":
        abort(409, description="This webinar is cancelled; it can no longer change.")
    if data.pop("status", None) == "cancelled":
        if data:
            api_abort(422, messages={"json": {"status": ["Cancel a webinar without changing anything else."]}})
        service.cancel_webinar(webinar)
        return webinar
    try:
        return service.update_webinar(webinar, data)
    except service.WebinarError as error:
        api_abort(422, messages={"json": {error.field: [error.message]}})


@blp.route("/webinars/<slug>/registrations", methods=["GET"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@blp.response(200, RegistrantSchema(many=True))
@blp.alt_response(401, description="No valid staff token")
@blp.alt_response(404, description="No webinar has this slug")
def list_registrations(slug: str):
    """Who registered for a webinar (staff)

    Every registration, oldest first: `status` is registered or cancelled; `attended` says
    whether they opened their join link during the webinar or the attendee list named them.
    """
    return service.registrants(staff_webinar(slug))
