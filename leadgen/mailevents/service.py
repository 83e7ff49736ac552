"""Apply what the mail provider reports: bounces mark the address, complaints unsubscribe it.

Either stops all marketing mail at once (queued marketing is cancelled; the stop rule in
followups.stops refuses the rest at send time) and shows on the lead's timeline.
"""

from ..database import insert_if_absent, utcnow
from ..extensions import db
from ..followups.unsubscribe import record_unsubscribe
from ..leads.models import Activity, Lead
from ..leads.service import find_lead_by_email
from ..outbox.models import OutboxMessage
from ..outbox.service import cancel_queued
from .models import MailEvent, MailEventReceipt
from .reports import Notice, Report

# Soft bounces in a row (no delivery reported between) that mark the address bounced. Only a
# delivery the provider reports resets the count, not the relay accepting a mail: bounces
# arrive after acceptance, so resetting then would never let three add up.
SOFT_BOUNCE_LIMIT = 3


def apply_report(provider: str, report: Report) -> dict:
    """Apply every notice about a known address, in one transaction, and commit.

    Addresses we do not know are skipped and leave nothing behind. A report whose receipt
    was seen before changes nothing (a replayed or re-delivered call).
    """
    if report.receipt is not None:
        values = {"provider": provider, "key": report.receipt[:200], "received_at": utcnow()}
        if insert_if_absent(MailEventReceipt, values, ["provider", "key"]) is None:
            db.session.rollback()
            return {"applied": 0, "replayed": True}
    applied = 0
    for notice in report.notices:
        lead = find_lead_by_email(notice.email)
        if lead is not None:
            apply_notice(provider, lead, notice)
            applied += 1
    if applied:
        db.session.commit()
    else:
        db.session.rollback()  # unknown addresses: nothing stored, not even the receipt
    return {"applied": applied, "replayed": False}


def apply_notice(provider: str, lead: Lead, notice: Notice) -> None:
    """One notice about one lead, in the caller's transaction."""
    if notice.kind == "delivery":
        lead.soft_bounces = 0
        return
    db.session.add(MailEvent(provider=provider, kind=notice.kind, lead_id=lead.id))
    if notice.kind == "complaint":
        lead.complained_at = lead.complained_at or utcnow()
        db.session.add(Activity(lead=lead, kind="mail_complained", detail={"provider": provider}))
        record_unsubscribe(lead, via=f"spam complaint reported by {provider}")
        stop_marketing(lead)
        return
    detail = {"provider": provider}
    if notice.kind == "soft_bounce":
        lead.soft_bounces = (lead.soft_bounces or 0) + 1
        detail["soft_bounces_in_a_row"] = lead.soft_bounces
        if lead.soft_bounces < SOFT_BOUNCE_LIMIT:
            db.session.add(Activity(lead=lead, kind="mail_soft_bounced", detail=detail))
            return
    lead.bounced_at = lead.bounced_at or utcnow()
    db.session.add(Activity(lead=lead, kind="mail_bounced", detail=detail))
    stop_marketing(lead)


def stop_marketing(lead: Lead) -> None:
    """Cancel the lead's queued marketing mail now; the stop rule catches anything in flight."""
    cancel_queued(OutboxMessage.lead_id == lead.id, OutboxMessage.category == "marketing")
