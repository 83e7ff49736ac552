"""The words staff changed, read by the domains that use them and written by the console.

Outbox rendering reads `mail_words` at send time (an edited subject is in the next mail sent);
the forms and their capture read `consent_for`; follow-ups read `stored_steps` when they queue
a sequence. With nothing stored, each of them answers with the shipped default.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..leads.consent import MARKETING_EMAIL, ConsentText
from ..outbox.service import enqueue
from .catalogue import CONSENT_FORMS, MAILS
from .models import ConsentVersion, FollowupStep, MailText


@dataclass(frozen=True)
class Words:
    """A subject and a Markdown body with `{placeholders}`."""

    subject: str
    body: str


def mail_words(key: str) -> Words | None:
    """The words staff wrote for a mail, or None while it is the shipped template."""
    if key not in MAILS:
        return None
    text = db.session.get(MailText, key)
    return Words(text.subject, text.body) if text else None


def words_for_editing(key: str) -> tuple[Words, bool]:
    """A mail's current words and whether staff changed them (the shipped words otherwise)."""
    edited = mail_words(key)
    return (edited, True) if edited else (Words(MAILS[key].subject, MAILS[key].body), False)


def edited_mail_keys() -> set[str]:
    """Which mails staff have reworded."""
    return set(db.session.scalars(select(MailText.key)))


def save_mail_words(key: str, words: Words, staff_email: str) -> None:
    """Store a mail's new words (checked by MailWordsSchema); the next mail sent uses them."""
    text = db.session.get(MailText, key) or MailText(key=key)
    text.subject, text.body, text.updated_by = words.subject, words.body, staff_email
    db.session.add(text)
    db.session.commit()


def restore_mail(key: str) -> bool:
    """Back to templates/email/<key>; False if it was not edited."""
    removed = db.session.execute(delete(MailText).where(MailText.key == key)).rowcount
    db.session.commit()
    return bool(removed)


def consent_for(form: str) -> ConsentText:
    """The consent sentence a form shows now and a capture records: its newest version."""
    newest = db.session.scalars(
        select(ConsentVersion).where(ConsentVersion.form == form).order_by(ConsentVersion.id.desc()).limit(1)
    ).first()
    if newest is None:
        return MARKETING_EMAIL
    return ConsentText(purpose=MARKETING_EMAIL.purpose, version=newest.version, text=newest.text)


def consent_versions(form: str) -> list[ConsentVersion]:
    """Every wording a form has had since staff first changed it, newest first."""
    query = select(ConsentVersion).where(ConsentVersion.form == form).order_by(ConsentVersion.id.desc())
    return list(db.session.scalars(query))


def save_consent(form: str, text: str, staff_email: str) -> ConsentText:
    """A new version of a form's consent sentence (unchanged words add none); earlier consents keep theirs."""
    if form not in CONSENT_FORMS:
        raise ValueError(f"unknown form {form!r}")
    if consent_for(form).text == text:
        return consent_for(form)
    for _ in range(3):  # two admins saving at once: the later one takes the next number
        count = db.session.scalar(select(func.count()).where(ConsentVersion.form == form))
        # The shipped sentence is version 1 of every form.
        db.session.add(ConsentVersion(form=form, version=f"{form}-v{count + 2}", text=text, created_by=staff_email))
        try:
            db.session.commit()
            break
        except IntegrityError:
            db.session.rollback()
    return consent_for(form)


def restore_consent(form: str, staff_email: str) -> ConsentText:
    """The shipped sentence again, as a new version (the history of what was shown stays)."""
    return save_consent(form, MARKETING_EMAIL.text, staff_email)


@dataclass(frozen=True)
class StepWords:
    """A follow-up step as staff arranged it."""

    delay: timedelta
    during_office_hours: bool
    subject: str
    body: str


def stored_steps(sequence: str) -> list[StepWords] | None:
    """A sequence's steps as staff arranged them, in order; None while it runs as shipped."""
    rows = db.session.scalars(
        select(FollowupStep).where(FollowupStep.sequence == sequence).order_by(FollowupStep.position)
    ).all()
    if not rows:
        return None
    return [
        StepWords(timedelta(seconds=row.delay_seconds), row.during_office_hours, row.subject, row.body) for row in rows
    ]


def save_steps(sequence: str, steps: list[StepWords]) -> None:
    """Replace a sequence's steps. Mail already queued keeps its words; leads captured from now get these."""
    db.session.execute(delete(FollowupStep).where(FollowupStep.sequence == sequence))
    db.session.add_all(
        FollowupStep(
            sequence=sequence,
            position=position,
            delay_seconds=int(step.delay.total_seconds()),
            during_office_hours=step.during_office_hours,
            subject=step.subject,
            body=step.body,
        )
        for position, step in enumerate(steps, start=1)
    )
    db.session.commit()


def restore_steps(sequence: str) -> None:
    """The shipped sequence again (FOLLOWUP_DELAYS and the followup templates)."""
    db.session.execute(delete(FollowupStep).where(FollowupStep.sequence == sequence))
    db.session.commit()


def queue_test_mail(template: str, recipient: str, context: dict, category: str = "transactional") -> None:
    """ "Send me a test": one mail to a staff member through the outbox, a new dedupe key each press."""
    enqueue(
        template=template,
        recipient=recipient,
        context=context,
        category=category,
        dedupe_key=f"content-test:{template}:{uuid.uuid4().hex}",
    )
    db.session.commit()
