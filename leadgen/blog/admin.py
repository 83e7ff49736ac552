"""Staff moderation pages at /admin/comments: tabs by status, the comment in context, bulk actions."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..admin.console import require_staff
from ..database import page_number, row_id
from . import service
from .models import COMMENT_STATUSES

bp = Blueprint("blog_admin", __name__, url_prefix="/admin/comments")
bp.before_request(require_staff)

# What each action button says it did.
DONE = {"approved": "approved", "pending": "moved back to pending", "spam": "marked as spam", "trash": "moved to trash"}


@bp.get("")
def index():
    """One moderation tab (pending by default) with the counts of every tab."""
    status = request.args.get("status", "pending")
    if status not in COMMENT_STATUSES:
        status = "pending"
    return render_template(
        "admin/comments.html",
        status=status,
        counts=service.status_counts(),
        listing=service.moderation_page(status, page_number()),
        statuses=COMMENT_STATUSES,
    )


def chosen_action() -> tuple[list[int], str | None]:
    """The comments and status a moderation form asks for: one comment's button, or the bulk bar."""
    if one := request.form.get("one", ""):
        comment_id, _, status = one.partition(":")
        return ([found] if (found := row_id(comment_id)) else []), status
    ids = [found for value in request.form.getlist("ids") if (found := row_id(value))]
    return ids, request.form.get("status")


@bp.post("")
def moderate():
    """Apply a status to the chosen comments, then 303 back to the tab."""
    tab = request.form.get("tab", "pending")
    tab = tab if tab in COMMENT_STATUSES else "pending"
    ids, status = chosen_action()
    if status not in COMMENT_STATUSES:
        flash("Choose what to do with the comments.", "error")
    elif not ids:
        flash("Tick at least one comment first.", "error")
    else:
        changed = service.moderate_many(ids, status)
        flash(f"{changed} comment{'s' if changed != 1 else ''} {DONE[status]}.", "success")
    return redirect(url_for(".index", status=tab), 303)
