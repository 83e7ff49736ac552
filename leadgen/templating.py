"""What every template may use: the clinic's details, phone links, local times."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, url_for

from .ebook.service import download_token
from .forms import email_suggestion


def tel_href(phone: str) -> str:
    """A `tel:` URI for a phone number as people write it ("+1 312 555 0142")."""
    return "tel:" + re.sub(r"[^\d+]", "", phone)


def clinic_time(moment: datetime, pattern: str = "%A %-d %B %Y, %-I:%M %p %Z") -> str:
    """A UTC datetime shown in the clinic's timezone, with the zone's abbreviation."""
    zone = ZoneInfo(current_app.config["CLINIC_TIMEZONE"])
    return moment.astimezone(zone).strftime(pattern)


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


def ebook_download_url(lead_id: int, email: str) -> str:
    """An absolute, signed download link, made when the mail is rendered (so its age starts then)."""
    return url_for("ebook.download", token=download_token(lead_id, email), _external=True)


def register_template_helpers(app) -> None:
    """Install the filters and the context processor."""
    app.jinja_env.filters["tel_href"] = tel_href
    app.jinja_env.filters["clinic_time"] = clinic_time
    app.context_processor(clinic_context)
    app.jinja_env.globals["ebook_download_url"] = ebook_download_url
    app.jinja_env.globals["email_suggestion"] = email_suggestion
