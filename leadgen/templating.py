"""What every template may use: the clinic's details, phone links, local times."""

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app

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


DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def public_url(endpoint: str, **values) -> str:
    """An absolute link to one of our pages at PUBLIC_BASE_URL: every link in mail and the feed.

    Never from a request's Host header (anyone can send one), and it needs no request (the
    outbox worker has none): the URL map is bound to PUBLIC_BASE_URL's scheme, host and path.
    """
    site = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    host = site.netloc.removesuffix(DEFAULT_PORTS.get(site.scheme, ""))  # as a browser writes it
    adapter = current_app.url_map.bind(host, script_name=site.path or "/", url_scheme=site.scheme)
    return adapter.build(endpoint, values, force_external=True)


def ebook_download_url(lead_id: int, email: str) -> str:
    """An absolute, signed download link, made when the mail is rendered (so its age starts then)."""
    from .ebook.service import download_token

    return public_url("ebook.download", token=download_token(lead_id, email))


def register_template_helpers(app) -> None:
    """Install the filters and the context processor."""
    app.jinja_env.filters["tel_href"] = tel_href
    app.jinja_env.filters["clinic_time"] = clinic_time
    app.context_processor(clinic_context)
    app.jinja_env.globals["ebook_download_url"] = ebook_download_url
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["email_suggestion"] = email_suggestion
