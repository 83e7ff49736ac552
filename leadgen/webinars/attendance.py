"""Who came: each registrant's own join link, and the meeting tool's attendee list uploaded by staff."""

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from ..database import utcnow
from ..extensions import db
from ..leads.models import Lead
from ..tokens import TokenInvalid, sign_for_lead
from .cancellation import registration_for_token
from .models import Registration, Webinar

JOIN_PURPOSE = "webinar-join"
# The link opens the meeting from this long before the start, as meeting tools open the room.
DOORS_OPEN = timedelta(minutes=15)


def join_token(registration: Registration) -> str:
    """The signed token of the registrant's own join link, bound to them as the cancel link is."""
    return sign_for_lead(
        JOIN_PURPOSE, registration.lead, registration=registration.id, generation=registration.generation
    )


def registration_for_join(token: str) -> Registration | None:
    """The active registration a join link names, or None (forged, erased, cancelled, an earlier generation)."""
    try:
        registration = registration_for_token(token, JOIN_PURPOSE)
    except TokenInvalid:
        return None
    if registration is None or registration.status != "registered" or registration.webinar.status != "scheduled":
        return None
    return registration


def join_moment(webinar: Webinar, now=None) -> str:
    """ "early" (before the doors open), "open" (15 minutes before the start to the end) or "ended"."""
    now = now or utcnow()
    if now < webinar.starts_at - DOORS_OPEN:
        return "early"
    return "open" if now < webinar.ends_at else "ended"


def record_attendance(registration: Registration) -> None:
    """Mark the registration attended (the first time counts) and commit."""
    db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.attended_at.is_(None))
        .values(attended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@dataclass(frozen=True)
class AttendeeUpload:
    """What an attendee CSV did: rows with an address, registrants newly or already marked, unknown addresses."""

    addresses: int
    matched: int
    unknown: int


class AttendeeFileError(ValueError):
    """The file cannot be read as an attendee list; the message says why, to staff."""


def attendee_addresses(data: bytes) -> set[str]:
    """The lower-cased addresses in the file's email column (its header found case-insensitively)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    rows = list(csv.reader(io.StringIO(text)))
    for number, row in enumerate(rows[:20]):  # meeting tools put a few lines of summary above the table
        headers = [cell.strip().lower() for cell in row]
        column = next((i for i, header in enumerate(headers) if header in ("email", "e-mail", "email address")), None)
        if column is None:
            column = next((i for i, header in enumerate(headers) if "email" in header), None)
        if column is not None:
            cells = (line[column].strip().lower() for line in rows[number + 1 :] if len(line) > column)
            return {cell for cell in cells if "@" in cell}
    raise AttendeeFileError("No column named email was found in the file.")


def mark_attendees(webinar: Webinar, data: bytes) -> AttendeeUpload:
    """Mark the webinar's registrants named in the attendee file as attended and commit."""
    addresses = attendee_addresses(data)
    registrations = db.session.execute(
        select(Registration, func.lower(Lead.email))
        .join(Lead, Lead.id == Registration.lead_id)
        .where(Registration.webinar_id == webinar.id, Registration.status == "registered")
    ).all()
    now = utcnow()
    matched = 0
    for registration, email in registrations:
        if email in addresses:
            matched += 1
            registration.attended_at = registration.attended_at or now
    db.session.commit()
    return AttendeeUpload(addresses=len(addresses), matched=matched, unknown=len(addresses) - matched)
