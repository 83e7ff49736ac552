"""The console's home at /admin/: the dashboard and the outbox retry."""

from flask import Blueprint, flash, redirect, render_template, url_for

from ..blog.service import pending_comment_count
from ..broadcasts.service import recipients_waiting
from ..ebook import offers
from ..outbox.service import retry_failed
from . import dashboard as stats
from .chart import stacked_bars
from .console import require_staff

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_staff)


@bp.get("/")
def dashboard():
    """Leads per day by source, this week against last, booked, pending comments, requests per ebook, the outbox."""
    daily = stats.leads_per_day()
    return render_template(
        "admin/dashboard.html",
        daily=daily,
        chart=stacked_bars(daily),
        weekly=stats.weekly_totals(),
        statuses=stats.status_totals(),
        pending_comments=pending_comment_count(),
        outbox=stats.outbox_summary(),
        broadcasts_waiting=recipients_waiting(),
        ebooks=offers.current_offers(),
        ebook_counts=offers.request_counts(),
        mail_events=stats.mail_event_rates(),
    )


@bp.post("/outbox/<int:message_id>/retry")
def retry_message(message_id: int):
    """Put a failed message back in the queue; the next worker run sends it."""
    if retry_failed(message_id):
        flash("The message is queued again; a worker will send it within a minute.", "info")
    else:
        flash("That message is not failed any more (it may have been retried already).", "error")
    return redirect(url_for(".dashboard"), 303)
