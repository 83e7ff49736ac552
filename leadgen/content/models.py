"""What staff changed of the words; with no rows here every mail, form and sequence is as shipped."""

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db


class MailText(db.Model):
    """A mail's subject and Markdown body as staff wrote them, replacing templates/email/<key> until restored."""

    __tablename__ = "mail_texts"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ConsentVersion(db.Model):
    """One wording of a form's consent sentence. Never changed: a new wording is a new row, and
    the form shows its newest (each Consent row copies the words it recorded)."""

    __tablename__ = "consent_versions"
    __table_args__ = (UniqueConstraint("form", "version", name="uq_consent_versions_form_version"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    form: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FollowupStep(db.Model):
    """One step of a follow-up sequence staff arranged. A sequence with rows here uses only them;
    one without rows runs as shipped (FOLLOWUP_DELAYS and templates/email/followup_<source>_<n>)."""

    __tablename__ = "followup_steps"
    __table_args__ = (UniqueConstraint("sequence", "position", name="uq_followup_steps_sequence_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[str] = mapped_column(String(20), index=True)
    position: Mapped[int]
    delay_seconds: Mapped[int]
    during_office_hours: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
