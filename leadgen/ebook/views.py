"""Ebook pages: landing and form, thank-you, download, expired or forged links."""

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for

from ..content.service import consent_for
from ..forms import (
    contact_form_values,
    current_visit,
    honeypot_filled,
    landing_values,
    load_contact_form,
    remember_sent_form,
    sent_form_values,
)
from ..ratelimits import public_post_limit
from ..tokens import TokenExpired, TokenInvalid
from . import service
from .schemas import EbookRequestSchema, NewLinkSchema

bp = Blueprint("ebook", __name__, url_prefix="/ebook")

SENT_FORM = "ebook"

DOWNLOAD_NAME = "The-5-Foundations-of-Autoimmune-Diseases.pdf"


def landing_page(values: dict, errors: dict, status: int = 200):
    """The landing page with the form, its values and any messages beside the fields."""
    page = render_template("ebook/landing.html", values=values, errors=errors, consent_text=consent_for("ebook").text)
    return page, status


@bp.get("")
def landing():
    """The ebook's landing page; UTM parameters ride along in hidden fields; `?fix` (from "Wrong
    address? Fix it" on the thank-you page) fills the form with what this browser sent."""
    values = landing_values()
    if "fix" in request.args:
        values.update(sent_form_values(SENT_FORM))
    return landing_page(values, {})


@bp.post("")
@public_post_limit
def submit():
    """Capture the request, then 303 to the thank-you page; 422 with messages if invalid."""
    if honeypot_filled():
        return redirect(url_for(".thanks"), 303)
    data, errors = load_contact_form(EbookRequestSchema())
    if errors:
        return landing_page(contact_form_values(), errors, 422)
    service.request_ebook(data, current_visit(request.form))
    remember_sent_form(SENT_FORM, data)
    return redirect(url_for(".thanks"), 303)


@bp.get("/thanks")
def thanks():
    """What happens next: the address we are writing to, the link's lifetime, and the office phone."""
    days = current_app.config["EBOOK_LINK_MAX_AGE"].days
    sent = sent_form_values(SENT_FORM)
    return render_template("ebook/thanks.html", link_days=days, email=sent.get("email"))


@bp.get("/download/<token>")
def download(token: str):
    """The PDF as an attachment; an expired link gets 410, a forged one 404, both with a way on."""
    try:
        lead = service.lead_for_download(token, record=request.method != "HEAD")
    except TokenExpired as expired:
        email = service.email_for_expired_token(expired.payload)
        return render_template("ebook/link_problem.html", expired=True, values={"email": email}, errors={}), 410
    except TokenInvalid:
        lead = None
    if lead is None:
        return render_template("ebook/link_problem.html", expired=False, values={}, errors={}), 404
    path = Path(current_app.config["EBOOK_PATH"])
    if not path.is_file():
        current_app.logger.error("EBOOK_PATH %s is missing", path)
        abort(503)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=DOWNLOAD_NAME)


@bp.post("/new-link")
@public_post_limit
def new_link():
    """Send a fresh link to a known address; unknown addresses get the same answer."""
    if honeypot_filled():
        return redirect(url_for(".thanks"), 303)
    data, errors = load_contact_form(NewLinkSchema())
    if errors:
        return render_template(
            "ebook/link_problem.html", expired=True, values=contact_form_values(), errors=errors
        ), 422
    # The same answer for unknown addresses, so the form cannot tell who is a lead.
    service.resend_link(data["email"], current_visit())
    remember_sent_form(SENT_FORM, data)
    return redirect(url_for(".thanks"), 303)
