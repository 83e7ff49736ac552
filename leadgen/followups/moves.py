"""Moving a sequence that has begun to be queued: a moved webinar ends later (or sooner), and its
"after the webinar" steps must follow, counted by the same rule sequence_messages used."""

from datetime import datetime

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..outbox.models import OutboxMessage
from .service import followups_of, step_due_time
from .stops import WAITING_FOR_CONFIRMATION


def move_sequence(lead_ids: list[int], sequence: str, starts_at: datetime, **context) -> int:
    """The sequence now starts at `starts_at` (a moved webinar ends then): every step still queued,
    or waiting for a double opt-in confirmation, of these leads whose context holds `context`
    gets its due time counted anew from there, by the rule it was queued with. In the caller's
    transaction; returns how many steps moved."""
    if not lead_ids:
        return 0
    candidates = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.lead_id.in_(lead_ids),
            or_(*(followups_of(lead_id, sequence) for lead_id in lead_ids)),
            or_(
                OutboxMessage.status == "queued",
                and_(OutboxMessage.status == "cancelled", OutboxMessage.last_error == WAITING_FOR_CONFIRMATION),
            ),
        )
    )
    moved = 0
    for message in candidates:
        if any(message.context.get(key) != value for key, value in context.items()):
            continue  # the lead's sequence belongs to another of their registrations
        message.context = {**message.context, "starts_at": starts_at.isoformat()}
        message.due_at = step_due_time(message, starts_at) or message.due_at
        moved += 1
    return moved
