"""Home page (the three offers), the privacy notice, and /healthz for load balancers."""

from flask import Blueprint, jsonify, render_template
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
