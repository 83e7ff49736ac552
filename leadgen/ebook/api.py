"""The ebook endpoint of the JSON API, for the clinic's website."""

from ..extensions import ApiBlueprint
from ..forms import current_visit
from ..ratelimits import public_post_limit
from . import service
from .schemas import EbookRequestResultSchema, EbookRequestSchema

blp = ApiBlueprint("ebook_api", __name__, url_prefix="/api/v1", description="The free ebook")


# One schema instance for every request: given the class, webargs would build a new one each time.
@blp.route("/ebook-requests", methods=["POST"])
@public_post_limit
@blp.arguments(EbookRequestSchema())
@blp.response(201, EbookRequestResultSchema)
def create_ebook_request(data):
    """Request the free ebook

    Stores the lead and queues the delivery mail with a signed download link.
    """
    lead_id, queued = service.request_ebook(data, current_visit(data))
    return {"lead_id": lead_id, "status": "queued" if queued else "recently_sent"}
