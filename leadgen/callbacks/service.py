"""Call-back requests: capture, the staff alert, the queue and its statuses.

A request holds the lead's follow-up mail while it is open (the stop rule in followups.stops
answers CALLBACK_OPEN, and the worker cancels a due step with that reason); closing it as
called or no answer brings those steps back (resume_followups), booking ends them for good.
"""

from flask import current_app
from sqlalchemy import func, select

from ..content.service import consent_for
from ..database import utcnow
from ..extensions import db
from ..followups.stops import CALLBACK_OPEN
from ..leads.models import Activity
from ..leads.service import Visit, capture_lead
from ..leads.status import mark_lead
from ..outbox.models import OutboxMessage
from ..outbox.service import enqueue
from ..staff.models import StaffUser
from .models import CALLBACK_STATUSES, CallbackRequest

ALERT_TEMPLATE = "callback_alert"


def request_callback(data: dict, visit: Visit) -> None:
    """Capture the lead, store the request and alert staff, in one transaction.

    Returns nothing on purpose: the answer is the same for a new address and a known one.
    The name typed here stays on the request; a known lead's own name is never changed.
    """
    capture = capture_lead(
        email=data["email"],
        first_name=data["first_name"],
        source="callback",
        activity="callback_requested",
        visit=visit,
        consent=consent_for("callback"),
        consent_granted=data.get("consent", False),
        detail={"best_time": data["best_time"]},
    )
    request = CallbackRequest(
        lead_id=capture.lead.id,
        first_name=data["first_name"],
        phone=data["phone"],
        best_time=data["best_time"],
        note=data.get("note", ""),
    )
    db.session.add(request)
    db.session.flush()
    alert_staff(request)
    db.session.commit()


def staff_recipients() -> list[str]:
    """CALLBACK_NOTIFY_TO, or when it is empty every active staff account."""
    if configured := current_app.config["CALLBACK_NOTIFY_TO"]:
        return configured
    return list(db.session.scalars(select(StaffUser.email).where(StaffUser.active.is_(True)).order_by(StaffUser.id)))


def alert_staff(request: CallbackRequest) -> int:
    """Queue one alert per recipient, due at once, in the caller's transaction.

    The context names the request only: the worker reads name, phone and note when it renders
    the mail (the `callback_for_mail` template global), so an erased person's number never
    waits in the outbox.
    """
    queued = 0
    for recipient in staff_recipients():
        queued += enqueue(
            template=ALERT_TEMPLATE,
            recipient=recipient,
            context={"callback_id": request.id},
            dedupe_key=f"callback-alert:{request.id}:{recipient}",
        )
    return queued


def callback_for_mail(callback_id: int) -> CallbackRequest | None:
    """Templates: the request an alert is about, as it is now (None once erased)."""
    return db.session.get(CallbackRequest, callback_id)


def find_callback(callback_id: int) -> CallbackRequest | None:
    """The request with this id, or None."""
    return db.session.get(CallbackRequest, callback_id)


def callbacks_with_status(status: str, limit: int = 500) -> list[CallbackRequest]:
    """The requests in one status, oldest first (the oldest open one is the first to call)."""
    query = (
        select(CallbackRequest)
        .where(CallbackRequest.status == status)
        .order_by(CallbackRequest.created_at, CallbackRequest.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def status_counts() -> dict[str, int]:
    """How many requests are in each status (every status present, zero included)."""
    rows = db.session.execute(select(CallbackRequest.status, func.count()).group_by(CallbackRequest.status))
    return {status: 0 for status in CALLBACK_STATUSES} | dict(rows.all())


def lead_callbacks(lead_id: int) -> list[CallbackRequest]:
    """A lead's requests, newest first (the lead page)."""
    query = select(CallbackRequest).where(CallbackRequest.lead_id == lead_id).order_by(CallbackRequest.id.desc())
    return list(db.session.scalars(query))


def set_status(request: CallbackRequest, status: str, staff_email: str) -> CallbackRequest:
    """Set a request's status, recorded on the lead's timeline, and commit.

    Booked marks the lead booked (leads.status: its follow-ups end, the CRM hears of it).
    Called or no answer releases the follow-ups the open request held back, unless another
    request of the lead is still open.
    """
    if status not in CALLBACK_STATUSES:
        raise ValueError(f"status must be one of {', '.join(CALLBACK_STATUSES)}")
    if request.status != status:
        request.status, request.handled_by = status, staff_email
        detail = {"status": status.replace("_", " "), "by": staff_email}
        db.session.add(Activity(lead_id=request.lead_id, kind="callback_updated", detail=detail))
    if status in ("called", "no_answer"):
        resume_followups(request.lead_id)
    db.session.commit()
    if status == "booked":
        mark_lead(request.lead_id, "booked", staff_email)
    return request


def resume_followups(lead_id: int) -> int:
    """Queue again the steps held back while a call-back was open (due now if their time passed)."""
    still_open = select(CallbackRequest.id).where(CallbackRequest.lead_id == lead_id, CallbackRequest.status == "open")
    if db.session.scalar(still_open.limit(1)) is not None:
        return 0
    held = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.lead_id == lead_id,
            OutboxMessage.status == "cancelled",
            OutboxMessage.last_error == CALLBACK_OPEN,
        )
    ).all()
    now = utcnow()
    for message in held:
        message.due_at = max(message.due_at, now)
        message.status, message.last_error, message.attempts = "queued", None, 0
    return len(held)
