"""Webinar pages: the list, one webinar and its form, thank-you, calendar file, cancel link."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from ..content.service import consent_for
from ..forms import (
    contact_form_values,
    current_visit,
    honeypot_filled,
    landing_values,
    load_contact_form,
    remember_sent_form,
    sent_form_values,
    utm_from,
)
from ..links import public_url
from ..ratelimits import public_post_limit
from ..tokens import TokenInvalid
from . import attendance, cancellation, ics, registration, service, waitlist
from .models import CLOSED_MESSAGES, Webinar
from .schemas import RegistrationSchema

bp = Blueprint("webinars", __name__, url_prefix="/webinars")


def webinar_or_404(slug: str) -> Webinar:
    """The webinar, or the 404 page."""
    webinar = service.find_webinar(slug)
    if webinar is None:
        abort(404)
    return webinar


def sent_form(slug: str) -> str:
    """The name under which a webinar's form is remembered for its thank-you page."""
    return f"webinar:{slug}"


def detail_page(webinar: Webinar, values: dict, errors: dict, status: int = 200):
    """The webinar's page with its form, values and messages beside the fields."""
    page = render_template(
        "webinars/detail.html", webinar=webinar, values=values, errors=errors, consent_text=consent_for("webinar").text
    )
    return page, status


@bp.get("")
def index():
    """Upcoming webinars with their time, seats left and whether registration is open."""
    # The campaign tags of the link that brought the visitor ride on to the webinar they choose.
    carried = utm_from(request.args)
    return render_template("webinars/list.html", webinars=service.upcoming_webinars(), carried=carried)


@bp.get("/<slug>")
def detail(slug: str):
    """One webinar: what it covers, when, and the registration form while it is open; `?fix` (from
    "Wrong address? Fix it" on the thank-you page) fills the form with what this browser sent."""
    values = landing_values()
    if "fix" in request.args:
        values.update(sent_form_values(sent_form(slug)))
    return detail_page(webinar_or_404(slug), values, {})


@bp.post("/<slug>/register")
@public_post_limit
def register(slug: str):
    """Register, then 303 to the thank-you page; 422 with messages; 409 when full or closed."""
    webinar = webinar_or_404(slug)
    if honeypot_filled():
        return redirect(url_for(".thanks", slug=slug), 303)
    data, errors = load_contact_form(RegistrationSchema())
    if errors:
        return detail_page(webinar, contact_form_values(), errors, 422)
    try:
        registration.register(webinar, data, current_visit(request.form))
    except registration.RegistrationRefused as refused:
        # A full webinar offers its waitlist, with what the visitor typed carried along.
        offer = data if refused.state == "full" else None
        page = render_template("webinars/unavailable.html", webinar=webinar, message=refused.message, waitlist=offer)
        return page, 409
    remember_sent_form(sent_form(slug), data)
    return redirect(url_for(".thanks", slug=slug), 303)


@bp.post("/<slug>/waitlist")
@public_post_limit
def join_waitlist(slug: str):
    """Join a full webinar's waitlist (the 409 page's button); a seat free by now is simply taken."""
    webinar = webinar_or_404(slug)
    if honeypot_filled():
        return render_template("webinars/waitlisted.html", webinar=webinar)
    data, errors = load_contact_form(RegistrationSchema())
    if errors:
        return detail_page(webinar, contact_form_values(), errors, 422)
    state = webinar.state()
    if state == "open":
        return register(slug)
    if state != "full":
        page = render_template("webinars/unavailable.html", webinar=webinar, message=CLOSED_MESSAGES[state])
        return page, 410
    waitlist.join_waitlist(webinar, data, current_visit(request.form))
    return render_template("webinars/waitlisted.html", webinar=webinar)


@bp.get("/<slug>/thanks")
def thanks(slug: str):
    """You are registered: the calendar link and what happens next."""
    webinar = webinar_or_404(slug)
    email = sent_form_values(sent_form(slug)).get("email")
    reminders = registration.reminders_ahead(webinar)
    return render_template("webinars/thanks.html", webinar=webinar, reminders=reminders, email=email)


@bp.get("/<slug>/calendar.ics")
def calendar(slug: str):
    """The webinar as an iCalendar file (RFC 5545) for any calendar app."""
    webinar = webinar_or_404(slug)
    response = current_app.response_class(ics.calendar_bytes(webinar), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{ics.filename(webinar)}"'
    return response


@bp.route("/cancel/<token>", methods=["GET", "POST"])
@public_post_limit
def cancel(token: str):
    """GET: one button (mail scanners follow links, so a GET changes nothing); POST: cancel, free the seat."""
    try:
        found = cancellation.registration_for_token(token)
    except TokenInvalid:
        found = None
    if found is None:
        return render_template("webinars/cancel.html", registration=None), 404
    done = False
    if request.method == "POST":
        cancelled = cancellation.cancel_registration(found)
        if cancelled:
            waitlist.promote_from_waitlist(found.webinar)  # the freed seat goes to the first waiting
        done = cancelled or found.status == "cancelled"
    return render_template("webinars/cancel.html", registration=found, webinar=found.webinar, done=done)


@bp.get("/join/<token>")
def join(token: str):
    """A registrant's own join link: from 15 minutes before the start to the end it records that
    they came and 302s to the meeting; before, a page says when; after, the replay (or a page)."""
    found = attendance.registration_for_join(token)
    if found is None:
        abort(404)
    webinar = found.webinar
    moment = attendance.join_moment(webinar)
    if moment == "open":
        if request.method != "HEAD":  # a link checker's HEAD is not someone joining
            attendance.record_attendance(found)
        return redirect(webinar.join_url, 302)
    if moment == "ended" and webinar.replay_url:
        return redirect(webinar.replay_url, 302)
    return render_template("webinars/join.html", webinar=webinar, moment=moment, token=token)


@bp.get("/join/<token>/calendar.ics")
def join_calendar(token: str):
    """The registrant's own calendar file: its link is their join link, so joining from it counts."""
    found = attendance.registration_for_join(token)
    if found is None:
        abort(404)
    data = ics.calendar_bytes(found.webinar, public_url("webinars.join", token=token))
    response = current_app.response_class(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{ics.filename(found.webinar)}"'
    return response
