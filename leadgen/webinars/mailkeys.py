"""The dedupe keys of webinar mail, built here only, and the conditions that find that mail again.

One registration's mail (in one generation: a registration cancelled and taken again gets a
new one) is keyed webinar:<webinar>:reg:<registration>:<generation>:confirmation and
...:reminder-<name> and ...:moved-<revision> (the new time after a move); the after-the-webinar
mail is webinar-after:<webinar>:<registration>:<generation>; a cancelled webinar's notice is
webinar-cancelled:<webinar>:<registration>.
"""

from ..outbox.models import OutboxMessage
from .models import Registration


def registration_key(webinar_id: int, registration: Registration) -> str:
    """Prefix of the dedupe keys of one registration's mail (in one generation)."""
    return f"webinar:{webinar_id}:reg:{registration.id}:{registration.generation}"


def confirmation_key(webinar_id: int, registration: Registration) -> str:
    """The registration's confirmation mail."""
    return f"{registration_key(webinar_id, registration)}:confirmation"


def reminder_key(webinar_id: int, registration: Registration, reminder: str) -> str:
    """One reminder ("24h", "1h") of the registration."""
    return f"{registration_key(webinar_id, registration)}:reminder-{reminder}"


def moved_key(webinar_id: int, registration: Registration, revision: int) -> str:
    """The "the webinar moved" mail of one registration, once per revision of the webinar."""
    return f"{registration_key(webinar_id, registration)}:moved-{revision}"


def after_key(webinar_id: int, registration: Registration) -> str:
    """The thank-you or "sorry we missed you" mail after the webinar (not cancelled with the reminders)."""
    return f"webinar-after:{webinar_id}:{registration.id}:{registration.generation}"


def cancellation_notice_key(webinar_id: int, registration_id: int) -> str:
    """The mail telling a registrant that the webinar was cancelled."""
    return f"webinar-cancelled:{webinar_id}:{registration_id}"


def messages_of_webinar(webinar_id: int):
    """Condition: the confirmation and reminders of every registration of the webinar."""
    return OutboxMessage.dedupe_key.startswith(f"webinar:{webinar_id}:reg:", autoescape=True)


def messages_of_registration(webinar_id: int, registration_id: int):
    """Condition: the confirmation and reminders of one registration, in every generation."""
    return OutboxMessage.dedupe_key.startswith(f"webinar:{webinar_id}:reg:{registration_id}:", autoescape=True)


def reminders_of_webinar(webinar_id: int, reminder: str):
    """Condition: one kind of reminder of every registration of the webinar."""
    return OutboxMessage.dedupe_key.like(f"webinar:{webinar_id}:reg:%:reminder-{reminder}")


def moved_notices_of_webinar(webinar_id: int):
    """Condition: the "the webinar moved" mail of every registration of the webinar, every revision."""
    return OutboxMessage.dedupe_key.like(f"webinar:{webinar_id}:reg:%:moved-%")
