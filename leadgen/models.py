"""Every model, imported in one place so SQLAlchemy and Alembic see all tables."""

from .blog.models import Comment, Post
from .callbacks.models import CallbackRequest
from .content.models import ConsentVersion, FollowupStep, MailText
from .leads.counts import LeadHourlyCount, LeadStatusCount
from .leads.models import Activity, Consent, ErasedLead, ExportLog, Lead
from .outbox.models import OutboxMessage, PurgedDedupeKey
from .staff.models import ApiToken, StaffUser
from .webhooks.models import Webhook
from .webinars.models import Registration, Webinar

__all__ = [
    "Activity",
    "ApiToken",
    "CallbackRequest",
    "Comment",
    "Consent",
    "ConsentVersion",
    "ErasedLead",
    "ExportLog",
    "FollowupStep",
    "Lead",
    "LeadHourlyCount",
    "LeadStatusCount",
    "MailText",
    "OutboxMessage",
    "Post",
    "PurgedDedupeKey",
    "Registration",
    "StaffUser",
    "Webhook",
    "Webinar",
]
