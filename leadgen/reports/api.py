"""The conversion report in the JSON API (staff token: marketing or admin)."""

from ..extensions import ApiBlueprint
from ..staff.auth import STAFF_TOKEN, api_staff_required
from . import service
from .schemas import ConversionRowSchema, ReportArgsSchema

blp = ApiBlueprint("reports_api", __name__, url_prefix="/api/v1", description="Reports (staff)")


@blp.route("/reports/conversions", methods=["GET"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@blp.alt_response(401, description="No valid staff API token")
@blp.alt_response(403, description="The token's role may not do this")
@blp.arguments(ReportArgsSchema, location="query")
@blp.response(200, ConversionRowSchema(many=True))
def conversions(args):
    """Leads and what became of them, grouped by source, campaign or article

    For leads created from `since` to `until` (days in the clinic's time zone, both included):
    how many there were, consented, were contacted (or booked), booked, and asked for a call back.
    """
    return service.conversions(args["by"], args.get("since"), args.get("until"))
