"""Ebook pages: each offer's landing page and form, thank-you, download, expired or forged links.

`/ebook` is the default offer, `/ebook/<slug>` every other one; both run the same views below.
"""

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, send_file, url_for

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
from . import offers, service
from .models import Ebook
from .schemas import EbookFormSchema, NewLinkSchema

bp = Blueprint("ebook", __name__, url_prefix="/ebook")
SENT_FORM = "ebook"


def sent_form(offer: Ebook) -> str:
    """The key under which this browser's last sent form is kept: one per offer."""
    return SENT_FORM if offer.is_default else f"{SENT_FORM}:{offer.slug}"


def landing_url(offer: Ebook, **values) -> str:
    """The offer's landing page (and form action)."""
    if offer.is_default:
        return url_for("ebook.landing", **values)
    return url_for("ebook.offer_landing", slug=offer.slug, **values)


def thanks_url(offer: Ebook) -> str:
    """The offer's thank-you page."""
    return url_for("ebook.thanks") if offer.is_default else url_for("ebook.offer_thanks", slug=offer.slug)


def offer_or_404(slug: str) -> Ebook:
    """The offer under `slug`; an unknown or retired one gets a page naming the offers there are."""
    offer = offers.offered(slug)
    if offer is None:
        page = render_template("ebook/not_offered.html", offers=offers.current_offers(), landing_url=landing_url)
        abort(make_response(page, 404))
    return offer


def landing_page(offer: Ebook, values: dict, errors: dict, status: int = 200):
    """The landing page with the form, its values and any messages beside the fields."""
    page = render_template(
        "ebook/landing.html",
        offer=offer,
        action=landing_url(offer),
        values=values,
        errors=errors,
        consent_text=consent_for("ebook").text,
    )
    return page, status


def show_landing(offer: Ebook):
    """UTM parameters ride along in hidden fields; `?fix` (from "Wrong address? Fix it" on the
    thank-you page) fills the form with what this browser sent."""
    values = landing_values()
    if "fix" in request.args:
        values.update(sent_form_values(sent_form(offer)))
    return landing_page(offer, values, {})


def submit_request(offer: Ebook):
    """Capture the request, then 303 to the thank-you page; 422 with messages if invalid."""
    if honeypot_filled():
        return redirect(thanks_url(offer), 303)
    data, errors = load_contact_form(EbookFormSchema())
    if errors:
        return landing_page(offer, contact_form_values(), errors, 422)
    service.request_ebook(data, current_visit(request.form), offer)
    remember_sent_form(sent_form(offer), data)
    return redirect(thanks_url(offer), 303)


def thanks_page(offer: Ebook):
    """What happens next: the address we are writing to, the link's lifetime, and the office phone."""
    sent = sent_form_values(sent_form(offer))
    return render_template(
        "ebook/thanks.html",
        offer=offer,
        landing_url=landing_url(offer),
        fix_url=landing_url(offer, fix=1, _anchor="email"),
        link_days=current_app.config["EBOOK_LINK_MAX_AGE"].days,
        email=sent.get("email"),
    )


@bp.get("")
def landing():
    """The default ebook's landing page."""
    return show_landing(offers.default_offer())


@bp.post("")
@public_post_limit
def submit():
    """Ask for the default ebook."""
    return submit_request(offers.default_offer())


@bp.get("/thanks")
def thanks():
    """The default ebook's thank-you page."""
    return thanks_page(offers.default_offer())


@bp.get("/<slug>")
def offer_landing(slug: str):
    """Another offer's landing page."""
    return show_landing(offer_or_404(slug))


@bp.post("/<slug>")
@public_post_limit
def offer_submit(slug: str):
    """Ask for another offer's ebook."""
    return submit_request(offer_or_404(slug))


@bp.get("/<slug>/thanks")
def offer_thanks(slug: str):
    """Another offer's thank-you page."""
    return thanks_page(offer_or_404(slug))


def link_problem(expired: bool, offer: Ebook, values: dict, errors: dict, status: int):
    """The page for an expired or forged link, with the form asking for a new one."""
    page = render_template(
        "ebook/link_problem.html",
        expired=expired,
        offer=offer,
        landing_url=landing_url(offer),
        values={**values, "ebook": "" if offer.is_default else offer.slug},
        errors=errors,
    )
    return page, status


@bp.get("/download/<token>")
def download(token: str):
    """The PDF as an attachment; an expired link gets 410, a forged one 404, both with a way on."""
    try:
        found = service.download_for(token, record=request.method != "HEAD")
    except TokenExpired as expired:
        offer = service.offer_of_payload(expired.payload)
        offer = offer if offer is not None and not offer.retired else offers.default_offer()
        return link_problem(True, offer, {"email": service.email_for_expired_token(expired.payload)}, {}, 410)
    except TokenInvalid:
        found = None
    if found is None:
        return link_problem(False, offers.default_offer(), {}, {}, 404)
    _lead, offer = found
    path = offers.pdf_path(offer)
    if not path.is_file():
        current_app.logger.error("the PDF of ebook %s is missing at %s", offer.slug, path)
        abort(503)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=offers.download_name(offer))


@bp.post("/new-link")
@public_post_limit
def new_link():
    """Send a fresh link to a known address; unknown addresses get the same answer."""
    offer = offers.offered(request.form.get("ebook", "")) or offers.default_offer()
    if honeypot_filled():
        return redirect(thanks_url(offer), 303)
    data, errors = load_contact_form(NewLinkSchema())
    if errors:
        return link_problem(True, offer, contact_form_values(), errors, 422)
    # The same answer for unknown addresses, so the form cannot tell who is a lead.
    service.resend_link(data["email"], current_visit(), offer)
    remember_sent_form(sent_form(offer), data)
    return redirect(thanks_url(offer), 303)
