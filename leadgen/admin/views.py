"""Console pages under /admin: sign-in required on every one, the dashboard, the outbox retry."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..blog.service import pending_comment_count
from ..errors import error_response
from ..extensions import login_manager
from ..outbox.service import retry_failed
from . import dashboard as stats
from .chart import stacked_bars

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_staff():
    """Every console path sends a signed-out visitor to the sign-in page (and back after)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.app_errorhandler(403)
def forbidden(error):
    """A marketing user on an admin action, on any console page: say so, and offer the way back."""
    if request.path.startswith("/admin/") and current_user.is_authenticated:
        return render_template("admin/forbidden.html"), 403
    return error_response(error)


@bp.get("/")
def dashboard():
    """Leads per day by source, this week against last, booked, pending comments, the outbox."""
    daily = stats.leads_per_day()
    return render_template(
        "admin/dashboard.html",
        daily=daily,
        chart=stacked_bars(daily),
        weekly=stats.weekly_totals(),
        statuses=stats.status_totals(),
        pending_comments=pending_comment_count(),
        outbox=stats.outbox_summary(),
    )


@bp.post("/outbox/<int:message_id>/retry")
def retry_message(message_id: int):
    """Put a failed message back in the queue; the next worker run sends it."""
    if retry_failed(message_id):
        flash("The message is queued again; a worker will send it within a minute.", "info")
    else:
        flash("That message is not failed any more (it may have been retried already).", "error")
    return redirect(url_for(".dashboard"), 303)
