"""The call-back queue at /admin/callbacks: tabs by status (open first), a button per status."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..admin.console import require_staff
from ..forms import load_form
from . import service
from .models import CALLBACK_STATUSES
from .schemas import ConsoleStatusSchema

bp = Blueprint("callbacks_admin", __name__, url_prefix="/admin/callbacks")
bp.before_request(require_staff)

STATUS_LABELS = {"open": "Open", "called": "Called", "no_answer": "No answer", "booked": "Booked"}
# What each button says it did.
DONE = {
    "open": "is open again",
    "called": "is marked called",
    "no_answer": "is marked no answer",
    "booked": "is marked booked, and so is the lead",
}


@bp.get("")
def index():
    """One status tab (open by default), oldest request first, with the counts of every tab."""
    status = request.args.get("status", "open")
    if status not in CALLBACK_STATUSES:
        status = "open"
    return render_template(
        "admin/callbacks.html",
        status=status,
        counts=service.status_counts(),
        callbacks=service.callbacks_with_status(status),
        statuses=CALLBACK_STATUSES,
        labels=STATUS_LABELS,
    )


@bp.post("/<int:callback_id>/status")
def set_status(callback_id: int):
    """Set one request's status (any staff), then 303 back to the tab it was on."""
    found = service.find_callback(callback_id) or abort(404)
    tab = request.form.get("tab", "open")
    tab = tab if tab in CALLBACK_STATUSES else "open"
    data, errors = load_form(ConsoleStatusSchema())
    if errors:
        flash(" ".join(errors["status"]), "error")
    else:
        service.set_status(found, data["status"], current_user.email)
        flash(f"The call-back request from {found.first_name} {DONE[data['status']]}.", "success")
    return redirect(url_for(".index", status=tab), 303)
