"""What every template may use, pages and mail alike: the clinic's details, phone links, local
times, and the records a mail template reads when the worker renders it. Installed on the app
by register_template_helpers (from create_app), so rendering needs no page blueprint."""

import re

from flask import current_app

from . import clinictime
from .blog.notify import comment_for_mail
from .blog.render import comment_html
from .callbacks.schemas import national_format
from .callbacks.service import callback_for_mail
from .ebook import offers
from .ebook.models import Ebook
from .ebook.service import download_token
from .extensions import db
from .forms import email_suggestion
from .links import public_url
from .webinars.models import CLOSED_MESSAGES, Webinar


def tel_href(phone: str) -> str:
    """A `tel:` URI for a phone number as people write it ("+1 312 555 0142")."""
    return "tel:" + re.sub(r"[^\d+]", "", phone)


def clinic_context() -> dict:
    """The clinic's name, address and phone for headers, footers and mails."""
    config = current_app.config
    return {
        "clinic": {
            "name": config["CLINIC_NAME"],
            "address": config["CLINIC_ADDRESS"],
            "phone": config["OFFICE_PHONE"],
            "phone_href": tel_href(config["OFFICE_PHONE"]),
            "hours": config["OFFICE_HOURS"],
            "timezone": config["CLINIC_TIMEZONE"],
        }
    }


def ebook_download_url(lead_id: int, email: str, ebook_id: int | None = None) -> str:
    """An absolute, signed download link to an offer's PDF (none: the default's), made when the
    mail is rendered (so its age starts then)."""
    return public_url("ebook.download", token=download_token(lead_id, email, ebook_id))


def ebook_for_mail(ebook_id: int | None) -> Ebook:
    """The offer a delivery mail is about, read when it is rendered (so a corrected title reaches
    the mail); the default offer when the mail names none."""
    return (offers.offer_by_id(ebook_id) if ebook_id else None) or offers.default_offer()


def webinar_for_mail(webinar_id: int) -> Webinar | None:
    """Mail templates read the webinar when they are rendered, so edits (time, link) reach every mail."""
    return db.session.get(Webinar, webinar_id)


def webinar_closed_message(state: str) -> str:
    """Why registration is closed, for pages and mail."""
    return CLOSED_MESSAGES.get(state, "")


FILTERS = {
    "tel_href": tel_href,
    "clinic_time": clinictime.clinic_time,
    "short_time": clinictime.short_time,
    "webinar_time": clinictime.time_with_offset,
    "comment_html": comment_html,
    # A call-back's E.164 number as people of the clinic's country dial it.
    "national_phone": national_format,
}
GLOBALS = {
    "ebook_download_url": ebook_download_url,
    "ebook_for_mail": ebook_for_mail,
    "email_suggestion": email_suggestion,
    "public_url": public_url,
    "webinar_for_mail": webinar_for_mail,
    "webinar_closed_message": webinar_closed_message,
    # Mail templates load the comment they are about when the worker renders them.
    "blog_comment": comment_for_mail,
    "callback_request": callback_for_mail,
}


def register_template_helpers(app) -> None:
    """Install the filters, the globals and the context processor."""
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(GLOBALS)
    app.context_processor(clinic_context)
