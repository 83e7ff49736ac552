""" "Call me back" pages: the form at /call-back, its thank-you page, and the short form other pages include."""

from flask import Blueprint, redirect, render_template, request, session, url_for

from ..content.service import consent_for
from ..forms import (
    contact_form_values,
    current_visit,
    honeypot_filled,
    landing_values,
    load_contact_form,
    remember_sent_form,
)
from ..ratelimits import public_post_limit
from . import service
from .models import BEST_TIMES
from .schemas import CallbackRequestSchema, national_format

bp = Blueprint("callbacks", __name__, url_prefix="/call-back")

SENT_FORM = "callback"
# What the thank-you page repeats (the number as typed back, the best time): this browser's
# own session cookie, never the URL, as remember_sent_form keeps the address.
SENT_CALLBACK_KEY = "sent_callback"
BEST_TIME_LABELS = {"morning": "Morning", "afternoon": "Afternoon", "evening": "Evening", "any": "Any time"}


def callback_page(values: dict, errors: dict, status: int = 200):
    """The form with its values and any messages beside the fields."""
    page = render_template(
        "callbacks/page.html",
        values=values,
        errors=errors,
        consent_text=consent_for("callback").text,
        best_times=[(name, BEST_TIME_LABELS[name]) for name in BEST_TIMES],
    )
    return page, status


@bp.app_template_global()
def callback_form_consent() -> str:
    """The short "call me back" form's consent sentence (pages that include it need not pass it)."""
    return consent_for("callback").text


@bp.app_template_global()
def callback_best_times() -> list[tuple[str, str]]:
    """The best-time choices, as (value, words)."""
    return [(name, BEST_TIME_LABELS[name]) for name in BEST_TIMES]


@bp.get("")
def form():
    """The "call me back" page; UTM parameters ride along in hidden fields."""
    return callback_page(landing_values(), {})


@bp.post("")
@public_post_limit
def submit():
    """Store the request and alert staff, then 303 to the thank-you page; 422 with messages if invalid."""
    if honeypot_filled():
        return redirect(url_for(".thanks"), 303)
    data, errors = load_contact_form(CallbackRequestSchema())
    if errors:
        return callback_page(contact_form_values(), errors, 422)
    service.request_callback(data, current_visit(request.form))
    remember_sent_form(SENT_FORM, data)
    session[SENT_CALLBACK_KEY] = {"phone": national_format(data["phone"]), "best_time": data["best_time"]}
    return redirect(url_for(".thanks"), 303)


@bp.get("/thanks")
def thanks():
    """What happens next: the number we call, when, and the office hours."""
    sent = session.get(SENT_CALLBACK_KEY)
    sent = sent if isinstance(sent, dict) else {}
    best_time = sent.get("best_time") if sent.get("best_time") in BEST_TIMES else "any"
    return render_template("callbacks/thanks.html", phone=sent.get("phone"), best_time=best_time)
