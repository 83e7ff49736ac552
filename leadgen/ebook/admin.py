"""Staff pages at /admin/ebooks: the offers with their requests, add one with its PDF, edit, retire."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..admin.console import require_staff
from ..database import row_id
from ..forms import load_form
from . import library, offers
from .models import Ebook
from .schemas import EbookOfferSchema

bp = Blueprint("ebooks_admin", __name__, url_prefix="/admin/ebooks")
bp.before_request(require_staff)

# The form's own fields beside the PDF: MAX_CONTENT_LENGTH (64 KB) is for every other form.
FORM_ALLOWANCE = 64 * 1024
DEFAULT_KEY = "default"


@bp.url_value_preprocessor
def allow_a_pdf(endpoint, _values):
    """Let signed-in staff send a PDF up to EBOOK_MAX_BYTES to the two forms that take one.

    A URL value preprocessor because it runs before any before_request function: CSRF
    protection reads the form in one, and the request's size limit must be set before that.
    Signed-out visitors keep the usual limit, so they cannot make us store large bodies.
    """
    if endpoint in ("ebooks_admin.create", "ebooks_admin.edit") and current_user.is_authenticated:
        request.max_content_length = current_app.config["EBOOK_MAX_BYTES"] + FORM_ALLOWANCE


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A PDF far over the limit is refused before it is read: say so beside the file field."""
    if not current_user.is_authenticated:
        return require_staff()  # the usual limit refused a signed-out visitor's body: the sign-in page
    limit = library.megabytes(current_app.config["EBOOK_MAX_BYTES"])
    errors = {"pdf": [f"The file is too large: the largest PDF allowed is {limit}."]}
    key = (request.view_args or {}).get("key")
    return form_page(offer_or_404(key) if key else None, {}, errors, 422)


def key_of(offer: Ebook) -> str:
    """How the console's URLs name an offer: its id, or "default" for the built-in default."""
    return DEFAULT_KEY if offer.is_default else str(offer.id)


def offer_or_404(key: str) -> Ebook:
    """The offer the URL names, or the 404 page."""
    if key == DEFAULT_KEY:
        return offers.default_offer()
    ebook_id = row_id(key)
    offer = offers.offer_by_id(ebook_id) if ebook_id else None
    if offer is None or offer.is_default:
        abort(404)
    return offer


def form_page(offer: Ebook | None, values: dict, errors: dict, status: int = 200):
    """The add/edit form with its values and messages beside the fields."""
    page = render_template(
        "admin/ebooks_form.html",
        offer=offer,
        key=key_of(offer) if offer else None,
        values=values,
        errors=errors,
        max_size=library.megabytes(current_app.config["EBOOK_MAX_BYTES"]),
    )
    return page, status


@bp.get("")
def index():
    """Every offer, the default first, with its page and its requests in the last 7 and 30 days."""
    return render_template(
        "admin/ebooks.html", ebooks=offers.all_offers(), counts=offers.request_counts(), key_of=key_of
    )


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Offer another ebook: title, address, description and its PDF; 422 with messages, nothing stored."""
    if request.method == "GET":
        return form_page(None, {}, {})
    data, errors = load_form(EbookOfferSchema())
    if errors:
        return form_page(None, request.form.to_dict(), errors, 422)
    offer, errors = library.create_offer(data, request.files.get("pdf"))
    if errors:
        return form_page(None, request.form.to_dict(), errors, 422)
    flash(f"Offered: {offer.title}. Its page is /ebook/{offer.slug}.", "info")
    return redirect(url_for(".index"), 303)


@bp.route("/<key>/edit", methods=["GET", "POST"])
def edit(key: str):
    """Change an offer's words, address or PDF; 422 with messages, nothing changed."""
    offer = offer_or_404(key)
    if request.method == "GET":
        values = {"title": offer.title, "slug": offer.slug, "description": offer.description}
        return form_page(offer, values, {})
    data, errors = load_form(EbookOfferSchema())
    if not errors:
        errors = library.update_offer(offer, data, request.files.get("pdf"))
    if errors:
        return form_page(offer, request.form.to_dict(), errors, 422)
    flash("Saved.", "info")
    return redirect(url_for(".index"), 303)


@bp.post("/<key>/retire")
def retire(key: str):
    """Take an offer down: its page answers "no longer offered"; links already mailed still work."""
    offer = offer_or_404(key)
    if library.set_retired(offer, True):
        flash(f"Retired: {offer.title}. /ebook/{offer.slug} no longer takes requests.", "info")
    else:
        flash("The default ebook is the one at /ebook: it cannot be retired.", "error")
    return redirect(url_for(".index"), 303)


@bp.post("/<key>/restore")
def restore(key: str):
    """Offer a retired ebook again."""
    offer = offer_or_404(key)
    library.set_retired(offer, False)
    flash(f"Offered again: {offer.title}.", "info")
    return redirect(url_for(".index"), 303)
