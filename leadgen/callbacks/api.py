"""Call-back endpoints of the JSON API: the public request, and the staff queue."""

from flask import abort, g

from ..extensions import ApiBlueprint
from ..forms import current_visit
from ..leads.schemas import AcceptedSchema
from ..ratelimits import public_post_limit
from ..staff.auth import STAFF_TOKEN, api_staff_required
from . import service
from .schemas import CallbackQuerySchema, CallbackRequestSchema, CallbackSchema, CallbackStatusSchema

blp = ApiBlueprint("callbacks_api", __name__, url_prefix="/api/v1", description='"Call me back" requests')


@blp.route("/callback-requests", methods=["POST"])
@public_post_limit
@blp.arguments(CallbackRequestSchema())
@blp.response(202, AcceptedSchema)
def create_callback_request(data):
    """Ask the clinic to call back

    Stores the request and alerts staff at once by email. `phone` is read for the clinic's
    country (CLINIC_COUNTRY) unless it starts with +. The answer is the same for every address.
    """
    service.request_callback(data, current_visit(data))
    return AcceptedSchema.answer()


# Staff endpoints check the token before reading the body: no validation hints without one.
@blp.route("/callback-requests", methods=["GET"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@blp.arguments(CallbackQuerySchema, location="query")
@blp.response(200, CallbackSchema(many=True))
def list_callback_requests(query):
    """List call-back requests by status (staff)

    `status=open` (the default) is the queue, oldest first.
    """
    return service.callbacks_with_status(query["status"])


@blp.route("/callback-requests/<int:callback_id>", methods=["PATCH"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@blp.arguments(CallbackStatusSchema)
@blp.response(200, CallbackSchema)
def update_callback_request(data, callback_id):
    """Record the call: called, booked or no_answer (staff)

    Booked marks the lead booked (no more follow-ups); called or no_answer lets the follow-ups
    held while the request was open go again.
    """
    found = service.find_callback(callback_id)
    if found is None:
        abort(404, description=f"There is no call-back request {callback_id}.")
    return service.set_status(found, data["status"], g.staff_user.email)
