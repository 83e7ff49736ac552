"""Staff endpoints for leads in the JSON API."""

from flask_smorest import Blueprint

blp = Blueprint("leads_api", __name__, url_prefix="/api/v1", description="Leads (staff)")
