"""Webinars: scheduling, editing, cancelling, and what pages and the API list."""

import re
import unicodedata
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, case, func, select

from ..clinictime import clinic_zone
from ..database import utcnow
from ..extensions import db
from ..leads.export import safe_text, utc_text
from ..leads.models import Lead
from ..outbox.service import cancel_queued, enqueue
from . import ics
from .cancellation import cancel_followups_unless_registered
from .changes import active_registrations, tell_of_move
from .mailkeys import cancellation_notice_key, messages_of_webinar
from .models import Registration, Webinar

# What staff may set on a webinar; the rest (slug, seats, status) is the service's business.
EDITABLE = (
    "title",
    "description",
    "presenter",
    "starts_at",
    "duration_minutes",
    "capacity",
    "join_url",
    "replay_url",
)


class WebinarError(ValueError):
    """A change staff asked for that cannot be made; `field` names the form field to show it beside."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def find_webinar(slug: str) -> Webinar | None:
    """The webinar with this slug, or None."""
    return db.session.scalars(select(Webinar).where(Webinar.slug == slug)).first()


def get_webinar(webinar_id: int) -> Webinar | None:
    """The webinar with this id, or None."""
    return db.session.get(Webinar, webinar_id)


def upcoming_webinars(now: datetime | None = None) -> list[Webinar]:
    """Scheduled webinars that have not ended, soonest first (started ones show as closed)."""
    now = now or utcnow()
    # Filtering on the end needs the duration; no webinar lasts longer than a day, so filter
    # in SQL on a day's margin and precisely in Python.
    candidates = db.session.scalars(
        select(Webinar)
        .where(Webinar.status == "scheduled", Webinar.starts_at > now - timedelta(days=1))
        .order_by(Webinar.starts_at, Webinar.id)
    )
    return [webinar for webinar in candidates if webinar.ends_at > now]


def open_webinars() -> list[Webinar]:
    """Upcoming webinars that have not started (what the public API lists)."""
    now = utcnow()
    return [webinar for webinar in upcoming_webinars(now) if webinar.starts_at > now]


def all_webinars() -> list[Webinar]:
    """Every webinar for the staff list: newest start first."""
    return list(db.session.scalars(select(Webinar).order_by(Webinar.starts_at.desc(), Webinar.id.desc())))


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "webinar"


def unique_slug(title: str, starts_at: datetime) -> str:
    """title-YYYY-MM-DD (clinic date), with -2, -3... if that is taken."""
    local_date = starts_at.astimezone(clinic_zone()).date()
    base = f"{slugify(title)}-{local_date.isoformat()}"
    taken = set(db.session.scalars(select(Webinar.slug).where(Webinar.slug.like(f"{base}%"))))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def create_webinar(data: dict) -> Webinar:
    """Schedule a webinar from validated data and commit; returns it with its slug."""
    values = {name: data[name] for name in EDITABLE if name in data}
    webinar = Webinar(slug=unique_slug(data["title"], data["starts_at"]), seats_taken=0, **values)
    db.session.add(webinar)
    db.session.commit()
    return webinar


def update_webinar(webinar: Webinar, data: dict) -> Webinar:
    """Apply staff's edits (all fields or some); a new time moves the reminders and follow-ups
    and tells every registrant, with the calendar file's SEQUENCE raised."""
    if webinar.status == "cancelled":
        raise WebinarError("title", "A cancelled webinar cannot be edited. Schedule a new one instead.")
    if data.get("capacity", webinar.capacity) < webinar.seats_taken:
        raise WebinarError(
            "capacity", f"{webinar.seats_taken} people are registered; the capacity cannot be lower than that."
        )
    previous_start, previous_end = webinar.starts_at, webinar.ends_at
    for name in EDITABLE:
        if name in data:
            setattr(webinar, name, data[name])
    if (webinar.starts_at, webinar.ends_at) != (previous_start, previous_end):
        webinar.revision += 1
        tell_of_move(webinar, previous_start)
    db.session.commit()
    return webinar


def cancel_webinar(webinar: Webinar) -> int:
    """Cancel the webinar: drop its queued mail and tell every registrant; returns how many were told."""
    if webinar.status == "cancelled":
        return 0
    webinar.status = "cancelled"
    webinar.cancelled_at = utcnow()
    webinar.revision += 1
    cancel_queued(messages_of_webinar(webinar.id))
    # METHOD:CANCEL with the same UID and the raised SEQUENCE removes the event from calendars.
    notice = ics.attachment(webinar, method="CANCEL")
    told = 0
    for registration in active_registrations(webinar):
        lead = registration.lead
        cancel_followups_unless_registered(lead.id)
        told += enqueue(
            template="webinar_cancelled",
            recipient=lead.email,
            recipient_name=lead.first_name,
            context={"first_name": lead.first_name, "webinar_id": webinar.id, "attachments": [notice]},
            lead_id=lead.id,
            dedupe_key=cancellation_notice_key(webinar.id, registration.id),
        )
    db.session.commit()
    return told


def registration_counts() -> dict[int, int]:
    """Active registrations per webinar id, for the staff list."""
    rows = db.session.execute(
        select(Registration.webinar_id, func.count())
        .where(Registration.status == "registered")
        .group_by(Registration.webinar_id)
    )
    return {webinar_id: registered for webinar_id, registered in rows}


@cache
def registration_columns() -> tuple[tuple[str, ColumnElement], ...]:
    """The registrations download's columns in order: (header, SQL expression), visitor text made
    safe for spreadsheets in the SELECT as in the lead export (built on first use, as there)."""
    return (
        ("registered_at", utc_text(Registration.created_at)),
        ("first_name", safe_text(Lead.first_name)),
        ("email", safe_text(Lead.email)),
        ("status", Registration.status),
        ("marketing_consent", case((Lead.marketing_consent.is_(True), "yes"), else_="no")),
        ("lead_status", Lead.status),
        ("cancelled_at", utc_text(Registration.cancelled_at)),
    )


def registration_rows(webinar_id: int) -> list:
    """The cells of the registrations download, one row per registration, oldest first (UTC times)."""
    query = (
        select(*(expression.label(name) for name, expression in registration_columns()))
        .join(Lead, Lead.id == Registration.lead_id)
        .where(Registration.webinar_id == webinar_id)
        .order_by(Registration.created_at, Registration.id)
    )
    return list(db.session.execute(query))


def registrants(webinar: Webinar) -> list[dict]:
    """Every registration of the webinar for the staff API: lead, address, status, attended."""
    rows = db.session.execute(
        select(Registration.lead_id, Lead.email, Registration.status, Registration.attended_at)
        .join(Lead, Lead.id == Registration.lead_id)
        .where(Registration.webinar_id == webinar.id)
        .order_by(Registration.created_at, Registration.id)
    )
    return [
        {"lead_id": lead_id, "email": email, "status": status, "attended": attended_at is not None}
        for lead_id, email, status, attended_at in rows
    ]
