"""Staff pages at /admin/broadcasts: write, count, preview, test, send; progress; cancel."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..admin.console import require_staff
from ..database import utcnow
from ..forms import load_form
from ..leads.models import SOURCES
from . import service
from .mail import PLACEHOLDERS
from .schemas import BroadcastFormSchema, audience_schema, flat_errors

bp = Blueprint("broadcasts_admin", __name__, url_prefix="/admin/broadcasts")
bp.before_request(require_staff)

ACTIONS = ("count", "preview", "test", "send")


def form_page(values: dict, errors: dict, status: int = 200, **shown):
    """The new-broadcast form with its values, messages beside the fields, and a count or preview."""
    return (
        render_template(
            "admin/broadcasts_form.html",
            values=values,
            errors=errors,
            sources=SOURCES,
            placeholders=", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            **shown,
        ),
        status,
    )


def broadcast_or_404(broadcast_id: int):
    """The broadcast, or the 404 page."""
    broadcast = service.get_broadcast(broadcast_id)
    if broadcast is None:
        abort(404)
    return broadcast


@bp.get("")
def index():
    """The latest broadcasts; each one's progress is on its own page (counting it reads its mail)."""
    return render_template("admin/broadcasts.html", broadcasts=service.recent_broadcasts(), now=utcnow())


@bp.get("/count")
def count():
    """JSON for the form's live count: {"recipients": n}, or {"errors": ...} with 422."""
    try:
        audience = audience_schema().load(request.args.to_dict())
    except ValidationError as error:
        return jsonify(errors=error.normalized_messages()), 422
    return jsonify(recipients=service.count_audience(audience))


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Write a broadcast; the form's buttons count, preview, send a test, or send it."""
    if request.method == "GET":
        return form_page({}, {})
    values = request.form.to_dict()
    action = values.pop("action", "send")
    action = action if action in ACTIONS else "send"
    if action == "count":
        audience_values = {name: values.get(name, "") for name in ("source", "tag", "since", "until")}
        audience, errors = load_form(audience_schema(), audience_values)
        recipients = None if errors else service.count_audience(audience)
        return form_page(values, errors, 422 if errors else 200, recipients=recipients)
    data, errors = load_form(BroadcastFormSchema(), values)
    if errors:
        return form_page(values, flat_errors(errors), 422)
    if action == "preview":
        return form_page(values, {}, preview=service.preview(data))
    if action == "test":
        service.send_test(data, current_user.email)
        flash(f"A test is on its way to {current_user.email}.", "info")
        return form_page(values, {}, preview=service.preview(data))
    try:
        broadcast = service.create_broadcast(data, created_by=current_user.email)
    except service.BroadcastRefused as refused:
        return form_page(values, {refused.field: [refused.message]}, 422, recipients=0)
    flash(f"Queued for {broadcast.recipients} lead{'s' if broadcast.recipients != 1 else ''}.", "info")
    return redirect(url_for(".detail", broadcast_id=broadcast.id), 303)


@bp.get("/<int:broadcast_id>")
def detail(broadcast_id: int):
    """One broadcast: its words, audience and progress (the page refreshes itself while it goes)."""
    broadcast = broadcast_or_404(broadcast_id)
    progress = service.broadcast_progress(broadcast)
    return render_template("admin/broadcasts_detail.html", broadcast=broadcast, progress=progress)


@bp.post("/<int:broadcast_id>/cancel")
def cancel(broadcast_id: int):
    """Stop what has not gone."""
    broadcast = broadcast_or_404(broadcast_id)
    if broadcast.status == "cancelled":
        flash("This broadcast was already cancelled.", "info")
    else:
        stopped = service.cancel_broadcast(broadcast)
        flash(f"Cancelled. {stopped} mail{'s' if stopped != 1 else ''} will not go.", "info")
    return redirect(url_for(".detail", broadcast_id=broadcast.id), 303)


@bp.post("/<int:broadcast_id>/again")
def again(broadcast_id: int):
    """Send it to whoever joined the audience since; nobody gets it twice."""
    broadcast = broadcast_or_404(broadcast_id)
    added = service.queue_again(broadcast)
    flash(f"Queued for {added} more lead{'s' if added != 1 else ''}.", "info")
    return redirect(url_for(".detail", broadcast_id=broadcast.id), 303)
