"""Subject access (GDPR art. 15): everything we hold about one lead, as plain JSON-ready data."""

from sqlalchemy import select

from ..blog.models import Comment
from ..broadcasts.service import broadcasts_waiting_for
from ..callbacks.models import CallbackRequest
from ..extensions import db
from ..leads.models import Lead
from ..leads.tags import tags_of
from ..outbox.models import OutboxMessage

LEAD_FIELDS = (
    "id",
    "email",
    "first_name",
    "source",
    "status",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "referrer",
    "landing_path",
    "first_offer",
    "marketing_consent",
    "confirmed_at",
    "unsubscribed_at",
    "bounced_at",
    "created_at",
    "updated_at",
)


def plain(value):
    """Datetimes as ISO 8601 text; everything else as it is."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def lead_messages(lead_id: int) -> list[OutboxMessage]:
    """Every outbox message about the lead, oldest first."""
    query = select(OutboxMessage).where(OutboxMessage.lead_id == lead_id).order_by(OutboxMessage.created_at)
    return list(db.session.scalars(query))


def lead_comments(email: str) -> list[Comment]:
    """Every blog comment written with the lead's address, oldest first."""
    return list(db.session.scalars(select(Comment).where(Comment.email == email).order_by(Comment.created_at)))


def lead_callbacks(lead_id: int) -> list[CallbackRequest]:
    """Every call-back request of the lead, oldest first."""
    query = select(CallbackRequest).where(CallbackRequest.lead_id == lead_id).order_by(CallbackRequest.id)
    return list(db.session.scalars(query))


def subject_access_export(lead_id: int) -> dict | None:
    """The lead, their consents (the evidence), activities, mail (and the broadcasts whose mail to
    them is not in the outbox yet), comments and call-back requests; None if unknown."""
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        return None
    return {
        "lead": {name: plain(getattr(lead, name)) for name in LEAD_FIELDS},
        "tags": tags_of([lead.id]).get(lead.id, []),
        "consents": [
            {
                "purpose": consent.purpose,
                "granted": consent.granted,
                "text": consent.text,
                "text_version": consent.text_version,
                "ip_address": consent.ip_address,
                "user_agent": consent.user_agent,
                "created_at": plain(consent.created_at),
            }
            for consent in lead.consents
        ],
        "activities": [
            {
                "kind": activity.kind,
                "detail": activity.detail,
                "utm_source": activity.utm_source,
                "utm_medium": activity.utm_medium,
                "utm_campaign": activity.utm_campaign,
                "utm_content": activity.utm_content,
                "utm_term": activity.utm_term,
                "referrer": activity.referrer,
                "landing_path": activity.landing_path,
                "created_at": plain(activity.created_at),
            }
            for activity in lead.activities
        ],
        "emails": [
            {
                "template": message.template,
                "category": message.category,
                "status": message.status,
                "due_at": plain(message.due_at),
                "sent_at": plain(message.sent_at),
                "created_at": plain(message.created_at),
            }
            for message in lead_messages(lead.id)
        ],
        # Broadcasts still to reach them: their mail joins "emails" when the worker queues it.
        "broadcasts_waiting": [
            {"broadcast_id": broadcast.id, "subject": broadcast.subject, "send_at": plain(broadcast.send_at)}
            for broadcast in broadcasts_waiting_for(lead.id)
        ],
        "comments": [
            {
                "name": comment.name,
                "website": comment.website,
                "body": comment.body,
                "status": comment.status,
                "created_at": plain(comment.created_at),
            }
            for comment in lead_comments(lead.email)
        ],
        "callback_requests": [
            {
                "first_name": callback.first_name,
                "phone": callback.phone,
                "best_time": callback.best_time,
                "note": callback.note,
                "status": callback.status,
                "created_at": plain(callback.created_at),
            }
            for callback in lead_callbacks(lead.id)
        ],
    }
