"""Home page (the three offers), the privacy notice, the favicon, and /healthz for load balancers."""

from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    """The three offers and the office phone."""
    return render_template("site/home.html")


@bp.get("/privacy")
def privacy():
    """What the forms keep, what we send, what we never do, and how to have it all erased."""
    return render_template("site/privacy.html")


@bp.get("/favicon.ico")
def favicon():
    """The site's icon where browsers ask for it first (base.html links it too)."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
