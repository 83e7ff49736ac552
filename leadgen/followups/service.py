"""Follow-up sequences: the mails after what a lead asked for, inviting them to call.

Double opt-in (DOUBLE_OPT_IN): the steps are queued at capture as usual, so nothing is
lost and the dedupe keys hold. While the lead has not confirmed, the send-time policy
holds a due step back (the worker cancels it with the reason WAITING_FOR_CONFIRMATION).
When the lead confirms, `resume_after_confirmation` puts those steps back in the queue
and counts every delay from the later of the sequence start and the confirmation, so
the spacing between steps is kept. Steps older than OPT_IN_WAIT_LIMIT stay cancelled.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from ..content.catalogue import FOLLOWUP_WORDS
from ..content.service import StepWords, stored_steps
from ..database import utcnow
from ..extensions import db
from ..leads.models import Lead
from ..outbox.models import OutboxMessage
from ..outbox.service import enqueue_many, message_values
from .officehours import clinic_zone, next_opening, parse_office_hours
from .stops import WAITING_FOR_CONFIRMATION, may_receive_followups

# A lead who confirms later than this after a step was queued no longer gets that step.
OPT_IN_WAIT_LIMIT = timedelta(days=30)


@dataclass(frozen=True)
class Step:
    """One mail of a sequence: templates/email/<template>.txt and .html."""

    template: str
    # "Call our office" mail arrives when someone answers the phone.
    during_office_hours: bool = False


# The steps of each sequence, in order; step N waits FOLLOWUP_DELAYS[N-1]. Delays beyond
# the steps listed here are ignored, so a longer FOLLOWUP_DELAYS never queues a missing template.
SEQUENCES: dict[str, tuple[Step, ...]] = {
    "ebook": (Step("followup_ebook_1", during_office_hours=True), Step("followup_ebook_2")),
    "webinar": (Step("followup_webinar_1", during_office_hours=True), Step("followup_webinar_2")),
    "comment": (Step("followup_comment_1", during_office_hours=True), Step("followup_comment_2")),
}
# Why the reader gets the mail, as the footer says: "... when you <reason>."
REASONS = {
    "ebook": "asked for our free ebook, The 5 Foundations of Autoimmune Diseases",
    "webinar": "registered for one of our free webinars",
    "comment": "left a reply on our blog and ticked the box to hear from us",
}


def sequence_key_prefix(lead_id: int, sequence: str) -> str:
    """What the dedupe keys of every step of one of the lead's sequences begin with."""
    return f"followup:{lead_id}:{sequence}:"


def followup_key(lead_id: int, sequence: str, step: int) -> str:
    """The dedupe key of one step of a lead's sequence: queued once, however often they come back."""
    return f"{sequence_key_prefix(lead_id, sequence)}{step}"


def followups_of(lead_id: int, sequence: str):
    """Condition: every step of one of the lead's sequences in the outbox (for cancel_queued and the like)."""
    return OutboxMessage.dedupe_key.startswith(sequence_key_prefix(lead_id, sequence), autoescape=True)


def due_time(step: Step, moment: datetime) -> datetime:
    """When a step goes: `moment`, moved to the next office opening for "call our office" steps."""
    if not step.during_office_hours:
        return moment
    config = current_app.config
    return next_opening(moment, parse_office_hours(config["OFFICE_HOURS"]), clinic_zone(config["CLINIC_TIMEZONE"]))


def start_sequence(lead: Lead, sequence: str, starts_at: datetime, context: dict | None = None) -> int:
    """Queue the steps of a sequence for a consenting lead, in the caller's transaction.

    Step N is due FOLLOWUP_DELAYS[N-1] after `starts_at` (the ebook: now; a webinar: when it
    ends), moved into office hours for "call our office" steps. The dedupe key names lead,
    sequence and step, so capturing the same lead again never queues a step twice.
    Returns how many steps were newly queued.
    """
    return len(enqueue_many(sequence_messages(lead, sequence, starts_at, context)))


def default_steps(sequence: str) -> list[StepWords]:
    """The shipped sequence as the console's editor shows it: FOLLOWUP_DELAYS and the templates' words."""
    steps = zip(SEQUENCES[sequence], current_app.config["FOLLOWUP_DELAYS"], FOLLOWUP_WORDS[sequence], strict=False)
    return [StepWords(delay, step.during_office_hours, subject, body) for step, delay, (subject, body) in steps]


def edited_steps(sequence: str) -> list[tuple[Step, timedelta, dict]] | None:
    """The steps staff arranged on /admin/content (None: the shipped ones), each with the words and
    timing its outbox row carries, so a step already queued keeps them whatever is edited later."""
    stored = stored_steps(sequence)
    if stored is None:
        return None
    return [
        (
            Step(f"followup_{sequence}_{number}", step.during_office_hours),
            step.delay,
            {
                "words": {"subject": step.subject, "body": step.body},
                "delay_seconds": int(step.delay.total_seconds()),
                "office_hours": step.during_office_hours,
            },
        )
        for number, step in enumerate(stored, start=1)
    ]


def sequence_messages(lead: Lead, sequence: str, starts_at: datetime, context: dict | None = None) -> list[dict]:
    """The outbox rows start_sequence queues (none without consent), for one enqueue_many with other mail."""
    if sequence not in SEQUENCES:
        raise ValueError(f"unknown follow-up sequence {sequence!r}")
    if not may_receive_followups(lead):
        return []
    steps = edited_steps(sequence)
    if steps is None:
        shipped = zip(SEQUENCES[sequence], current_app.config["FOLLOWUP_DELAYS"], strict=False)
        steps = [(step, delay, {}) for step, delay in shipped]
    return [
        message_values(
            template=step.template,
            category="marketing",
            recipient=lead.email,
            recipient_name=lead.first_name,
            context={
                "first_name": lead.first_name,
                "lead_id": lead.id,
                "sequence": sequence,
                "step": number,
                "starts_at": starts_at.isoformat(),
                "reason": REASONS[sequence],
                **(context or {}),
                **own,
            },
            lead_id=lead.id,
            due_at=due_time(step, starts_at + delay),
            dedupe_key=followup_key(lead.id, sequence, number),
        )
        for number, (step, delay, own) in enumerate(steps, start=1)
    ]


def step_due_time(message: OutboxMessage, starts_at: datetime) -> datetime | None:
    """When a queued step is due if its sequence starts at `starts_at` (the rule sequence_messages
    follows); None when the row no longer names a step we know."""
    if "delay_seconds" in message.context:  # a step staff arranged carries its own timing
        step = Step(message.template, message.context.get("office_hours", False))
        return due_time(step, starts_at + timedelta(seconds=message.context["delay_seconds"]))
    sequence, number = message.context.get("sequence"), message.context.get("step", 0)
    delays = current_app.config["FOLLOWUP_DELAYS"]
    if sequence not in SEQUENCES or not 0 < number <= min(len(delays), len(SEQUENCES[sequence])):
        return None
    return due_time(SEQUENCES[sequence][number - 1], starts_at + delays[number - 1])


def resumed_due_time(message: OutboxMessage, confirmed_at: datetime) -> datetime:
    """A waiting step's delay counted from the later of its sequence start and the confirmation."""
    starts_at = datetime.fromisoformat(message.context["starts_at"])
    return step_due_time(message, max(starts_at, confirmed_at)) or max(message.due_at, confirmed_at)


def resume_after_confirmation(lead: Lead) -> int:
    """Double opt-in: release the lead's waiting marketing mail, in the caller's transaction.

    Called by confirm_lead. Returns how many messages were (re)scheduled.
    """
    if not current_app.config["DOUBLE_OPT_IN"]:
        return 0
    now = utcnow()
    waiting = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.lead_id == lead.id,
            OutboxMessage.category == "marketing",
            OutboxMessage.created_at > now - OPT_IN_WAIT_LIMIT,
            or_(
                OutboxMessage.status == "queued",
                and_(OutboxMessage.status == "cancelled", OutboxMessage.last_error == WAITING_FOR_CONFIRMATION),
            ),
        )
    ).all()
    for message in waiting:
        message.due_at = resumed_due_time(message, now)
        message.status, message.last_error, message.attempts = "queued", None, 0
    return len(waiting)
