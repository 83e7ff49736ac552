"""Staff login and logout."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/admin")
