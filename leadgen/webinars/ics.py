"""The webinar as an RFC 5545 calendar file (icalendar), for the page link and the mail attachment."""

import base64
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app

from ..database import utcnow
from .models import Webinar

if TYPE_CHECKING:
    from icalendar import vCalAddress

PRODID = "-//leadgen//webinars//EN"


def event_uid(webinar: Webinar) -> str:
    """Stable for the webinar's life, so a second import updates the event instead of adding one."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "leadgen.localhost"
    return f"webinar-{webinar.id}@{host}"


def organizer() -> "vCalAddress":
    """The clinic, with the address its transactional mail comes from."""
    from icalendar import vCalAddress, vText  # here for start-up time: icalendar is slow to import

    config = current_app.config
    _name, address = parseaddr(config["MAIL_DEFAULT_SENDER"] or "")
    organiser = vCalAddress(f"mailto:{address or 'hello@clinic.example'}")
    organiser.params["cn"] = vText(config["CLINIC_NAME"])
    return organiser


def calendar_bytes(webinar: Webinar, join_link: str | None = None, method: str = "PUBLISH") -> bytes:
    """A VCALENDAR with one VEVENT: start and end in UTC, the join link in URL, LOCATION and text.

    A registrant's copy carries their own join link (so joining from the calendar counts them
    as attending); METHOD:CANCEL with STATUS:CANCELLED removes the event from their calendar.
    """
    from icalendar import Calendar, Event  # here for start-up time: icalendar is slow to import

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    join_link = join_link or webinar.join_url

    event = Event()
    event.add("uid", event_uid(webinar))
    event.add("dtstamp", utcnow())
    event.add("dtstart", webinar.starts_at)
    event.add("dtend", webinar.ends_at)
    event.add("sequence", webinar.revision)
    event.add("summary", webinar.title)
    details = [webinar.description.strip(), f"Join online: {join_link}"]
    if webinar.presenter:
        details.insert(0, f"Presented by {webinar.presenter}.")
    details.append(f"Questions? Call {current_app.config['OFFICE_PHONE']}.")
    event.add("description", "\n\n".join(part for part in details if part))
    event.add("location", join_link)
    event.add("url", join_link)
    cancelled = method == "CANCEL" or webinar.status == "cancelled"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event["organizer"] = organizer()
    calendar.add_component(event)
    return calendar.to_ical()


def filename(webinar: Webinar) -> str:
    """The name a downloaded or attached calendar file gets."""
    return f"{webinar.slug}.ics"


def attachment(webinar: Webinar, join_link: str | None = None, method: str = "PUBLISH") -> dict:
    """The calendar file as an outbox attachment (made now: its SEQUENCE is the webinar's revision now)."""
    return {
        "filename": filename(webinar),
        "content_type": "text/calendar",
        "data_base64": base64.b64encode(calendar_bytes(webinar, join_link, method)).decode(),
    }
