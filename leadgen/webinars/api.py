"""Webinar endpoints of the JSON API."""

from flask_smorest import Blueprint

blp = Blueprint("webinars_api", __name__, url_prefix="/api/v1", description="Webinars")
