"""Erasure (GDPR art. 17): remove a person everywhere, keep only a tombstone and an audit record."""

from sqlalchemy import Text, cast, delete, func, or_, select

from ..blog.service import anonymise_comments
from ..broadcasts.models import BroadcastRecipient
from ..callbacks.models import CallbackRequest
from ..extensions import db
from ..leads.models import Activity, Consent, ErasedLead, ExportLog, Lead, LeadTag, email_hash
from ..outbox.models import OutboxMessage
from ..webinars.cancellation import release_seats_held_by


def is_erased(email: str) -> bool:
    """True when a person with this address was erased (an import must not bring them back)."""
    return db.session.scalar(select(ErasedLead.id).where(ErasedLead.email_sha256 == email_hash(email))) is not None


def forget_searches(email: str) -> None:
    """Export logs stay (who took what out is evidence), but a search for the address is blanked."""
    logs = db.session.scalars(
        select(ExportLog).where(func.lower(cast(ExportLog.filters, Text)).contains(email, autoescape=True))
    )
    for log in logs:
        # q is the one free-text filter; the others are choices and dates.
        log.filters = {**log.filters, "q": "(erased)"}


def erase_lead(lead_id: int, erased_by: str) -> bool:
    """Erase the lead and everything about them in one transaction; False if there is no such lead.

    Deletes their consents, activities, tags, every outbox message to or about them (queued or
    sent: the rendered context holds their address and name) and their place among the
    recipients of a broadcast still being sent, blanks the personal fields of
    their blog comments (the words stay under the article), blanks a search for the address
    in the export logs, deletes their call-back requests (with the phone number), gives back
    their webinar seats (the registrations go with the lead by the foreign key's ON DELETE
    CASCADE), and records the tombstone.
    """
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        return False
    email = lead.email
    db.session.execute(
        delete(OutboxMessage).where(
            or_(
                OutboxMessage.lead_id == lead_id,
                func.lower(OutboxMessage.recipient) == email,
                # Webhook payloads and notifications about this person carry the address in their context.
                cast(OutboxMessage.context, Text).contains(email, autoescape=True),
            )
        )
    )
    db.session.execute(delete(BroadcastRecipient).where(BroadcastRecipient.lead_id == lead_id))
    anonymise_comments(email)
    release_seats_held_by(lead_id)
    forget_searches(email)
    # The phone number was kept for the call alone: it goes with the person.
    db.session.execute(delete(CallbackRequest).where(CallbackRequest.lead_id == lead_id))
    db.session.execute(delete(Activity).where(Activity.lead_id == lead_id))
    db.session.execute(delete(Consent).where(Consent.lead_id == lead_id))
    db.session.execute(delete(LeadTag).where(LeadTag.lead_id == lead_id))
    db.session.execute(delete(Lead).where(Lead.id == lead_id))
    db.session.add(ErasedLead(lead_id=lead_id, email_sha256=email_hash(email), erased_by=erased_by))
    db.session.commit()
    return True


def recent_erasures(limit: int = 100) -> list[ErasedLead]:
    """The latest erasures, newest first (shown to admins)."""
    return list(db.session.scalars(select(ErasedLead).order_by(ErasedLead.erased_at.desc()).limit(limit)))
