"""Broadcast endpoints of the JSON API (staff: marketing and admin, bearer token from `staff token`)."""

from flask import abort, g
from flask_smorest import abort as api_abort

from ..extensions import ApiBlueprint
from ..staff.auth import STAFF_TOKEN, api_staff_required
from . import service
from .schemas import BroadcastCreatedSchema, BroadcastCreateSchema, BroadcastProgressSchema

blp = ApiBlueprint("broadcasts_api", __name__, url_prefix="/api/v1", description="Broadcasts (staff)")


@blp.route("/broadcasts", methods=["POST"])
@api_staff_required()  # before the body is read: no token, 401, whatever the body
@blp.doc(security=STAFF_TOKEN)
@blp.arguments(BroadcastCreateSchema)
@blp.response(201, BroadcastCreatedSchema)
@blp.alt_response(401, description="No valid staff API token")
@blp.alt_response(403, description="The token's role may not do this")
def create_broadcast(data):
    """Send a broadcast

    One marketing mail to every lead of the audience who may receive it (consented,
    confirmed where double opt-in applies, not unsubscribed, bounced, contacted or booked),
    queued now and due at `send_at` (default now); each lead gets it at most once. Unknown
    placeholders, a time in the past or an audience nobody in it may receive answer 422.
    """
    try:
        broadcast = service.create_broadcast(data, created_by=g.staff_user.email)
    except service.BroadcastRefused as refused:
        api_abort(422, messages={"json": {refused.field: [refused.message]}})
    return {"id": broadcast.id, "recipients": broadcast.recipients}


@blp.route("/broadcasts/<int:broadcast_id>", methods=["GET"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@blp.response(200, BroadcastProgressSchema)
@blp.alt_response(401, description="No valid staff API token")
@blp.alt_response(404, description="No such broadcast")
def broadcast_progress(broadcast_id: int):
    """A broadcast's progress

    How many leads it was queued for, and how many were sent, skipped (a stop rule at send
    time, or cancelled) and failed so far.
    """
    broadcast = service.get_broadcast(broadcast_id)
    if broadcast is None:
        abort(404, description="No broadcast with this id.")
    return service.broadcast_progress(broadcast)
