"""Every model, imported in one place so SQLAlchemy and Alembic see all tables."""

from .leads.models import Activity, Consent, Lead
from .outbox.models import OutboxMessage
from .staff.models import ApiToken, StaffUser

__all__ = ["Activity", "ApiToken", "Consent", "Lead", "OutboxMessage", "StaffUser"]
