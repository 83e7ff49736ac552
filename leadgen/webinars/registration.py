"""Registering for a webinar: one transaction for the lead, the seat, the mail and the follow-up."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..content.service import consent_for
from ..database import insert_if_absent, utcnow
from ..extensions import db
from ..followups.service import start_sequence
from ..leads.service import Visit, capture_lead
from ..links import public_url
from ..outbox.service import enqueue
from ..webhooks.service import emit_event, lead_payload
from . import ics
from .attendance import join_token
from .cancellation import cancel_token
from .mailkeys import confirmation_key, reminder_key
from .models import CLOSED_MESSAGES, Registration, Webinar

# Reminder name -> how long before the start it is due.
REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}


class RegistrationRefused(Exception):
    """Full, started, ended or cancelled: `state` says which, `message` says it to a person."""

    def __init__(self, state: str):
        super().__init__(CLOSED_MESSAGES[state])
        self.state = state
        self.message = CLOSED_MESSAGES[state]


@dataclass(frozen=True)
class Registered:
    """The registration, and whether this request made it (False: the person already had a seat)."""

    registration: Registration
    created: bool


def claim_seat(webinar: Webinar, now: datetime) -> bool:
    """One conditional UPDATE: a seat of a scheduled webinar not yet started, while any is left.
    The caller commits, or rolls back when this is False."""
    return (
        db.session.execute(
            update(Webinar)
            .where(
                Webinar.id == webinar.id,
                Webinar.seats_taken < Webinar.capacity,
                Webinar.status == "scheduled",
                Webinar.starts_at > now,
            )
            .values(seats_taken=Webinar.seats_taken + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def take_seat(webinar: Webinar) -> None:
    """Conditional UPDATE: one seat if one is free and registration is open, else RegistrationRefused.

    The WHERE clause is checked by the database against the latest row, so any number of
    processes registering at once can never take more seats than the capacity.
    """
    now = utcnow()
    if not claim_seat(webinar, now):
        db.session.rollback()
        db.session.refresh(webinar)
        state = webinar.state(now)
        raise RegistrationRefused("full" if state == "open" else state)


def register(webinar: Webinar, data: dict, visit: Visit) -> Registered:
    """Register a person (validated data: email, first_name, consent) and commit once.

    Lead capture, the seat, the registration row, the confirmation with its .ics, the
    reminders, the follow-up sequence and the webhook event all commit together, or none do.
    A full webinar is refused to everyone, those who hold a seat too (theirs stays): an
    answer that differed would tell a stranger who is registered.
    """
    if (state := webinar.state()) != "open":
        raise RegistrationRefused(state)
    capture = capture_lead(
        email=data["email"],
        first_name=data["first_name"],
        source="webinar",
        activity="webinar_registered",
        visit=visit,
        consent=consent_for("webinar"),
        consent_granted=data.get("consent", False),
        detail={"webinar": webinar.slug},
    )
    lead = capture.lead
    inserted = insert_if_absent(
        Registration,
        {
            "webinar_id": webinar.id,
            "lead_id": lead.id,
            "status": "registered",
            "generation": 1,
            "created_at": utcnow(),
        },
        ["webinar_id", "lead_id"],
    )
    created = inserted is not None or renew_cancelled(webinar.id, lead.id)
    registration = db.session.scalars(
        select(Registration)
        .where(Registration.webinar_id == webinar.id, Registration.lead_id == lead.id)
        .execution_options(populate_existing=True)
    ).one()
    if created:
        take_seat(webinar)
        queue_mail(webinar, registration)
        emit_registered(webinar, registration)
    start_sequence(
        lead, "webinar", starts_at=webinar.ends_at, context={"webinar_id": webinar.id, "webinar_title": webinar.title}
    )
    db.session.commit()
    db.session.refresh(webinar)
    return Registered(registration=registration, created=created)


def renew_cancelled(webinar_id: int, lead_id: int) -> bool:
    """Registering again after cancelling (or from the waitlist): a fresh generation (new mail, new
    cancel link); False if they hold a seat already.

    A conditional UPDATE, so two simultaneous renewals by the same person take one seat, not two.
    """
    renewed = db.session.execute(
        update(Registration)
        .where(
            Registration.webinar_id == webinar_id,
            Registration.lead_id == lead_id,
            Registration.status.in_(("cancelled", "waitlisted")),
        )
        .values(status="registered", cancelled_at=None, generation=Registration.generation + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return renewed == 1


def reminders_ahead(webinar: Webinar) -> dict[str, datetime]:
    """The reminders still to come, by name, with when they are due.

    Someone registering inside a reminder's window gets none for it: it would only repeat the confirmation.
    """
    now = utcnow()
    return {name: webinar.starts_at - before for name, before in REMINDERS.items() if webinar.starts_at - before > now}


def registrant_context(webinar: Webinar, registration: Registration) -> dict:
    """What every mail to a registrant carries: their name, the webinar, their own cancel and join links."""
    return {
        "first_name": registration.lead.first_name,
        "webinar_id": webinar.id,
        "cancel_token": cancel_token(registration),
        "join_token": join_token(registration),
    }


def registrant_join_link(context: dict) -> str:
    """The registrant's own join link, for their copy of the calendar file."""
    return public_url("webinars.join", token=context["join_token"])


def queue_mail(webinar: Webinar, registration: Registration, from_waitlist: bool = False) -> None:
    """The confirmation now (join link, .ics attached; a note when a freed seat went to someone
    waiting) and the reminders not yet due."""
    lead = registration.lead
    context = registrant_context(webinar, registration)
    attachment = ics.attachment(webinar, registrant_join_link(context))
    common = {"recipient": lead.email, "recipient_name": lead.first_name, "lead_id": lead.id}
    enqueue(
        template="webinar_confirmation",
        dedupe_key=confirmation_key(webinar.id, registration),
        context={**context, "attachments": [attachment], "from_waitlist": from_waitlist},
        **common,
    )
    for name, due in reminders_ahead(webinar).items():
        enqueue(
            template="webinar_reminder",
            dedupe_key=reminder_key(webinar.id, registration, name),
            due_at=due,
            context={**context, "reminder": name},
            **common,
        )


def emit_registered(webinar: Webinar, registration: Registration) -> None:
    """Queue the "webinar.registered" webhook calls for the CRM, in this transaction."""
    data = {
        "lead": lead_payload(registration.lead),
        "webinar": {"slug": webinar.slug, "title": webinar.title, "starts_at": webinar.starts_at.isoformat()},
        "registration_id": registration.id,
    }
    key = f"{registration.id}:{registration.generation}"
    emit_event("webinar.registered", data, key=key, lead_id=registration.lead_id)
