"""The waitlist of a full webinar: visitors join it from the "all seats are taken" page, and a
freed seat goes to the first on it, who is registered and mailed the confirmation with a note.

A waiting person is a Registration with status "waitlisted" (created_at: when they joined the
list, so the order is theirs); promotion turns it into "registered" with a new generation.
"""

from sqlalchemy import select, update

from ..content.service import consent_for
from ..database import insert_if_absent, utcnow
from ..extensions import db
from ..followups.service import start_sequence
from ..leads.service import Visit, capture_lead
from .cancellation import free_seat
from .models import Registration, Webinar
from .registration import claim_seat, emit_registered, queue_mail


def join_waitlist(webinar: Webinar, data: dict, visit: Visit) -> Registration:
    """Put the person (validated email, first_name, consent) on the webinar's waitlist and commit.

    Someone already registered or waiting keeps their place; someone who cancelled waits anew.
    """
    capture = capture_lead(
        email=data["email"],
        first_name=data["first_name"],
        source="webinar",
        activity="webinar_waitlisted",
        visit=visit,
        consent=consent_for("webinar"),
        consent_granted=data.get("consent", False),
        detail={"webinar": webinar.slug},
    )
    lead = capture.lead
    values = {"webinar_id": webinar.id, "lead_id": lead.id, "status": "waitlisted", "generation": 1}
    if insert_if_absent(Registration, {**values, "created_at": utcnow()}, ["webinar_id", "lead_id"]) is None:
        db.session.execute(
            update(Registration)
            .where(Registration.webinar_id == webinar.id, Registration.lead_id == lead.id)
            .where(Registration.status == "cancelled")
            .values(status="waitlisted", created_at=utcnow(), cancelled_at=None)
            .execution_options(synchronize_session=False)
        )
    registration = db.session.scalars(
        select(Registration)
        .where(Registration.webinar_id == webinar.id, Registration.lead_id == lead.id)
        .execution_options(populate_existing=True)
    ).one()
    db.session.commit()
    return registration


def promote_from_waitlist(webinar: Webinar) -> Registration | None:
    """Give a free seat to the first on the waitlist, queue their confirmation and commit; None if nobody."""
    now = utcnow()
    first = db.session.scalars(
        select(Registration)
        .where(Registration.webinar_id == webinar.id, Registration.status == "waitlisted")
        .order_by(Registration.created_at, Registration.id)
        .limit(1)
    ).first()
    if first is None:
        return None
    # The same conditional UPDATE as a registration: never more seats than the capacity.
    if not claim_seat(webinar, now):
        db.session.rollback()
        return None
    promoted = db.session.execute(
        update(Registration)
        .where(Registration.id == first.id, Registration.status == "waitlisted")
        .values(status="registered", generation=Registration.generation + 1, created_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if promoted != 1:  # another process promoted them first: give the seat back
        free_seat(Webinar.id == webinar.id)
        db.session.commit()
        return None
    db.session.refresh(first)
    queue_mail(webinar, first, from_waitlist=True)
    emit_registered(webinar, first)
    start_sequence(
        first.lead,
        "webinar",
        starts_at=webinar.ends_at,
        context={"webinar_id": webinar.id, "webinar_title": webinar.title},
    )
    db.session.commit()
    db.session.refresh(webinar)
    return first
