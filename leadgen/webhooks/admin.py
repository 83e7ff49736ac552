"""Console pages at /admin/webhooks (admins only): list, add, disable and enable again."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..admin.console import admin_only, require_staff
from .models import EVENTS
from .schemas import WebhookSchema
from .service import all_webhooks, create_webhook, delivery_counts, set_webhook_active

bp = Blueprint("webhooks_admin", __name__, url_prefix="/admin/webhooks")
bp.before_request(require_staff)


def webhooks_page(values: dict, errors: dict, status: int = 200):
    """The list of webhooks with the form to add one (values and messages kept on error)."""
    return render_template(
        "admin/webhooks.html",
        webhooks=all_webhooks(),
        counts=delivery_counts(),
        events=EVENTS,
        values=values,
        errors=errors,
    ), status


@bp.get("")
@admin_only
def index():
    """Every webhook, what it receives, and how its deliveries are going."""
    return webhooks_page({"events": list(EVENTS)}, {})


@bp.post("")
@admin_only
def create():
    """Add a webhook; its secret is shown once in the message, and on the page for admins."""
    values = {**request.form.to_dict(), "events": request.form.getlist("events")}
    try:
        data = WebhookSchema().load(values, unknown="exclude")
    except ValidationError as error:
        return webhooks_page(values, error.normalized_messages(), 422)
    webhook = create_webhook(data["url"], data["events"], data["description"])
    flash(f"Webhook added. Give the CRM this signing secret: {webhook.secret}", "info")
    return redirect(url_for(".index"), 303)


@bp.post("/<int:webhook_id>/disable")
@admin_only
def disable(webhook_id: int):
    """Stop sending to a webhook; its undelivered calls are dropped when they come due."""
    return toggled(webhook_id, active=False)


@bp.post("/<int:webhook_id>/enable")
@admin_only
def enable(webhook_id: int):
    """Send to a webhook again, from the next event on."""
    return toggled(webhook_id, active=True)


def toggled(webhook_id: int, active: bool):
    """Switch the webhook and say what happened."""
    webhook = set_webhook_active(webhook_id, active)
    if webhook is None:
        flash("That webhook no longer exists.", "error")
    else:
        flash(f"Webhook {webhook.url} {'enabled' if active else 'disabled'}.", "info")
    return redirect(url_for(".index"), 303)
