"""The ebook endpoint of the JSON API, for the clinic's website."""

from ..extensions import ApiBlueprint
from ..forms import current_visit
from ..leads.schemas import AcceptedSchema
from ..ratelimits import public_post_limit
from . import offers, service
from .schemas import EbookRequestSchema

blp = ApiBlueprint("ebook_api", __name__, url_prefix="/api/v1", description="The free ebooks")


# One schema instance for every request: given the class, webargs would build a new one each time.
@blp.route("/ebook-requests", methods=["POST"])
@public_post_limit
@blp.arguments(EbookRequestSchema())
@blp.response(202, AcceptedSchema)
def create_ebook_request(data):
    """Request the free ebook

    Stores the request and emails a signed download link to the ebook named by `ebook` (an
    offer's slug; the default ebook without it), at most one mail an hour per address and
    ebook. The answer is the same for every address, known or not.
    """
    offer = offers.offered(data["ebook"]) if data["ebook"] else None
    service.request_ebook(data, current_visit(data), offer)
    return AcceptedSchema.answer()
