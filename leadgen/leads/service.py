"""capture_lead: the one way a visitor becomes (or returns as) a lead."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import case, func, select

from .. import metrics
from ..database import dialect_insert, utcnow
from ..extensions import db
from ..fields import LANDING_PATH_MAX_LENGTH, REFERRER_MAX_LENGTH, UTM_FIELDS, normalise_email
from ..outbox.service import enqueue
from ..webhooks.service import emit_event, lead_payload
from .consent import ConsentText
from .models import OFFER_KEYS, Activity, Consent, Lead

# The mail with the button that ends an earlier unsubscribe (templates/email/<name>.txt and .html).
RESUBSCRIBE_TEMPLATE = "confirm_subscription"


@dataclass(frozen=True)
class Visit:
    """Where a submission came from: consent evidence and campaign attribution (`utm`: the
    UTM_FIELDS given; `landing_path`: the page, such as an article, the form sat on)."""

    ip_address: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    utm: dict = field(default_factory=dict)
    landing_path: str | None = None


@dataclass(frozen=True)
class Capture:
    """What capture_lead did: the lead, and whether it is new."""

    lead: Lead
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
    consented_at: datetime | None = None,
) -> Capture:
    """Upsert the lead, record consent and the activity, in the caller's transaction.

    The caller adds whatever mail the capture causes and commits once, so the lead,
    its consent, its activity and its mail are stored together or not at all.

    Anyone can type any address, so a capture never undoes what the person chose: a
    consent ticked after they unsubscribed is kept as evidence and queues one mail with a
    button (ask_to_resubscribe); their mail resumes only when they press it.

    `consented_at`: when the consent was given, where that was before now (an imported
    list's evidence); a form's consent is given now. The first `detail` naming an offer
    (offer_named) becomes the lead's first_offer.
    """
    email = normalise_email(email)
    utm = attribution(visit)
    granted = consent is not None and consent_granted
    now = utcnow()
    lead = upsert_lead(email, first_name, source, {**utm, "first_offer": offer_named(detail or {})}, granted, now)
    metrics.record_capture(source)
    # The upsert leaves created_at alone on a returning lead, so only a new row carries ours.
    created = lead.created_at == now
    # Core inserts of the tables: nothing here needs the objects back, and the ORM's bulk
    # insert costs a tenth of the capture's CPU more (measured with bench/capture/profile.py).
    if granted:
        db.session.execute(
            Consent.__table__.insert(),
            {
                "lead_id": lead.id,
                "purpose": consent.purpose,
                "granted": True,
                "text": consent.text,
                "text_version": consent.version,
                "ip_address": visit.ip_address,
                "user_agent": (visit.user_agent or "")[:400] or None,
                "created_at": consented_at or now,
            },
        )
    db.session.execute(
        Activity.__table__.insert(),
        {
            "lead_id": lead.id,
            "kind": activity,
            "detail": detail or {},
            "created_at": now,
            **utm,
        },
    )
    if granted and lead.unsubscribed_at is not None:
        ask_to_resubscribe(lead, now)
    if created:
        emit_event("lead.created", lead_payload(lead), key=str(lead.id), lead_id=lead.id)
    return Capture(lead=lead, created=created)


def attribution(visit: Visit) -> dict:
    """The attribution columns Lead (first touch) and Activity share, from a visit; None for none."""
    return {
        **{key: (visit.utm.get(key) or None) for key in UTM_FIELDS},
        "referrer": (visit.referrer or "")[:REFERRER_MAX_LENGTH] or None,
        "landing_path": (visit.landing_path or "")[:LANDING_PATH_MAX_LENGTH] or None,
    }


def offer_named(detail: dict) -> str | None:
    """The offer an activity's detail names (an ebook's title, a webinar's slug), or None."""
    return next((detail[key] for key in OFFER_KEYS if detail.get(key) is not None), None)


def note_first_offer(lead: Lead, offer: str) -> None:
    """Record `offer` as the lead's first offer unless it has one, for an activity that names an
    offer outside capture_lead (a known lead asking for a new ebook link)."""
    if lead.first_offer is None:
        lead.first_offer = offer


def upsert_lead(email: str, first_name: str, source: str, first_touch: dict, granted: bool, now) -> Lead:
    """One INSERT ... ON CONFLICT (email) DO UPDATE ... RETURNING: the new or refreshed lead.

    Two simultaneous submissions still make one lead. A returning lead keeps its source,
    first-touch attribution (`first_touch`: the UTM columns and first_offer) and first name (a
    stranger's request must not rename them: only an empty name is filled in; attribution is
    written only by the INSERT, and first_offer only while it is empty); ticking the consent box
    records consent but never clears an unsubscribe (capture_lead asks the person instead).
    """
    values = {
        "email": email,
        "first_name": first_name,
        "source": source,
        "status": "new",
        "marketing_consent": granted,
        "created_at": now,
        "updated_at": now,
        **first_touch,
    }
    statement = upsert_statement(db.engine.dialect.name, granted)
    return db.session.scalars(statement, values, execution_options={"populate_existing": True}).one()


# Built once per dialect and consent, values given as parameters: SQLAlchemy keeps a statement
# object's cache key, where a new one must be walked on every capture (measured: a third of
# the capture's CPU, and its bench/capture ratio fell below what it guards).
@cache
def upsert_statement(dialect_name: str, granted: bool):
    """upsert_lead's statement: a Core upsert of the table, loaded as a Lead by from_statement
    (the ORM's own INSERT ... RETURNING Lead costs twice as much for the same row)."""
    table = Lead.__table__
    new = dialect_insert(table)
    changes = {
        "first_name": case((table.c.first_name == "", new.excluded.first_name), else_=table.c.first_name),
        "updated_at": new.excluded.updated_at,
        # A lead who commented first takes their first offer later: the first one named stays.
        "first_offer": func.coalesce(table.c.first_offer, new.excluded.first_offer),
    }
    if granted:
        changes["marketing_consent"] = True
    upsert = new.on_conflict_do_update(index_elements=["email"], set_=changes).returning(*table.c)
    return select(Lead).from_statement(upsert)


def ask_to_resubscribe(lead: Lead, now) -> bool:
    """Queue the mail whose button ends the lead's unsubscribe, at most one a day; in the caller's transaction.

    A day, not an hour as for the ebook: anyone can cause this mail to someone who asked us to stop.
    """
    return enqueue(
        template=RESUBSCRIBE_TEMPLATE,
        recipient=lead.email,
        recipient_name=lead.first_name,
        context={"first_name": lead.first_name},
        lead_id=lead.id,
        dedupe_key=f"resubscribe:{lead.id}:{now:%Y%m%d}",
    )


def find_lead(lead_id: int) -> Lead | None:
    """The lead with this id, or None."""
    return db.session.get(Lead, lead_id)


def find_lead_by_email(email: str) -> Lead | None:
    """The lead with this address (normalised first), or None."""
    return db.session.scalars(select(Lead).where(Lead.email == normalise_email(email))).first()
