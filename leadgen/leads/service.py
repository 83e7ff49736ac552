"""capture_lead: the one way a visitor becomes (or returns as) a lead."""

from dataclasses import dataclass, field

from sqlalchemy import select

from ..database import insert_if_absent, utcnow
from ..extensions import db
from ..webhooks.service import emit_event, lead_payload
from .consent import ConsentText
from .fields import normalise_email
from .models import Activity, Consent, Lead


@dataclass(frozen=True)
class Visit:
    """Where a submission came from: consent evidence and campaign attribution."""

    ip_address: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    utm: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Capture:
    """What capture_lead did: the lead, the activity it recorded, and whether the lead is new."""

    lead: Lead
    activity: Activity
    created: bool


def capture_lead(
    *,
    email: str,
    first_name: str,
    source: str,
    activity: str,
    visit: Visit,
    consent: ConsentText | None = None,
    consent_granted: bool = False,
    detail: dict | None = None,
) -> Capture:
    """Upsert the lead, record consent and the activity, in the caller's transaction.

    The caller adds whatever mail the capture causes and commits once, so the lead,
    its consent, its activity and its mail are stored together or not at all.
    """
    email = normalise_email(email)
    utm = {key: (visit.utm.get(key) or None) for key in ("utm_source", "utm_medium", "utm_campaign")}
    # INSERT ... ON CONFLICT DO NOTHING: two simultaneous submissions still make one lead.
    inserted = insert_if_absent(
        Lead,
        {
            "email": email,
            "first_name": first_name,
            "source": source,
            "status": "new",
            "created_at": utcnow(),
            "updated_at": utcnow(),
            "marketing_consent": False,
            **utm,
        },
        ["email"],
    )
    lead = db.session.scalars(select(Lead).where(Lead.email == email)).one()
    if first_name and lead.first_name != first_name:
        lead.first_name = first_name

    if consent is not None and consent_granted:
        db.session.add(
            Consent(
                lead=lead,
                purpose=consent.purpose,
                granted=True,
                text=consent.text,
                text_version=consent.version,
                ip_address=visit.ip_address,
                user_agent=(visit.user_agent or "")[:400] or None,
            )
        )
        lead.marketing_consent = True
        # Ticking the box again is a fresh, explicit consent after an earlier unsubscribe.
        lead.unsubscribed_at = None

    recorded = Activity(
        lead=lead,
        kind=activity,
        detail=detail or {},
        referrer=(visit.referrer or "")[:500] or None,
        **utm,
    )
    db.session.add(recorded)
    db.session.flush()
    if inserted is not None:
        emit_event("lead.created", lead_payload(lead), key=str(lead.id), lead_id=lead.id)
    return Capture(lead=lead, activity=recorded, created=inserted is not None)


def find_lead(lead_id: int) -> Lead | None:
    """The lead with this id, or None."""
    return db.session.get(Lead, lead_id)


def find_lead_by_email(email: str) -> Lead | None:
    """The lead with this address (normalised first), or None."""
    return db.session.scalars(select(Lead).where(Lead.email == normalise_email(email))).first()


def confirm_lead(lead: Lead) -> bool:
    """Record that the lead clicked a link in our mail (double opt-in); True if it was news."""
    if lead.confirmed_at is not None:
        return False
    lead.confirmed_at = utcnow()
    emit_event("lead.confirmed", lead_payload(lead), key=str(lead.id), lead_id=lead.id)
    # Imported here: followups builds on leads. With DOUBLE_OPT_IN, held follow-ups go now.
    from ..followups.service import resume_after_confirmation

    resume_after_confirmation(lead)
    return True
