"""Preview a mail's words on a sample lead, and "send me a test", through the real rendering.

The sample is a made-up reader (Ana) with the clinic's next webinar (or the latest one) and a
sample article, so each mail's placeholders and working parts show as they will be sent.
"""

from datetime import timedelta

from sqlalchemy import select

from ..clinictime import time_with_offset
from ..extensions import db
from ..followups.service import REASONS
from ..outbox.models import OutboxMessage
from ..outbox.render import render_email
from ..webinars.models import Webinar
from .service import Words, queue_test_mail

# The preview shows the mail's HTML as mail clients will, inline styles and all, in a sandboxed
# frame with no scripts; the console's other pages keep the strict policy (leadgen.security).
PREVIEW_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

SAMPLE_NAME = "Ana"
# A moved webinar's sample earlier time: a day before its start.
SAMPLE_MOVE = timedelta(days=1)
SAMPLE_POST = {"post_title": "Gut health and the immune system", "post_slug": "gut-health", "comment_id": 0}


def sample_webinar() -> Webinar | None:
    """The webinar sample mails are about: the newest one there is (None: placeholders shown as written)."""
    return db.session.scalars(select(Webinar).order_by(Webinar.starts_at.desc()).limit(1)).first()


def sample_context(template: str) -> dict:
    """What the outbox row of this mail would carry for the sample reader."""
    context = {"first_name": SAMPLE_NAME, "lead_id": 0}
    webinar = sample_webinar()
    if template.startswith("webinar_"):
        context |= {"webinar_id": webinar.id if webinar else 0, "cancel_token": "sample", "reminder": "24h"}
        if webinar:
            context["previous_time"] = time_with_offset(webinar.starts_at - SAMPLE_MOVE)
    elif template.startswith("comment_"):
        context |= {**SAMPLE_POST, "parent_id": 0}
    elif template.startswith("followup_"):
        sequence = template.split("_")[1]
        context |= {"sequence": sequence, "reason": REASONS.get(sequence)}
        if webinar and sequence == "webinar":
            context["webinar_title"] = webinar.title
    return context


def trial_context(template: str, words: Words) -> dict:
    """The sample context carrying the words to try (not yet saved)."""
    return {**sample_context(template), "words": {"subject": words.subject, "body": words.body}}


def preview(template: str, words: Words, recipient: str) -> dict:
    """Subject, text and HTML of the mail with these words, as the worker would build it."""
    message = OutboxMessage(
        template=template,
        category="transactional",
        recipient=recipient,
        recipient_name=SAMPLE_NAME,
        context=trial_context(template, words),
        message_id="<preview@leadgen>",
    )
    email = render_email(message)
    return {"subject": email.subject, "text": email.body, "html": email.html}


def send_test(template: str, words: Words, recipient: str) -> None:
    """The mail with these words to a staff member, through the outbox (a transactional message)."""
    queue_test_mail(template, recipient, trial_context(template, words))
