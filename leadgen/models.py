"""Every model, imported in one place so SQLAlchemy and Alembic see all tables."""

from .blog.models import Comment, Post
from .broadcasts.models import Broadcast
from .callbacks.models import CallbackRequest
from .content.models import ConsentVersion, FollowupStep, MailText
from .ebook.models import Ebook, EbookRequestCount
from .leads.counts import LeadHourlyCount, LeadStatusCount
from .leads.models import Activity, Consent, ErasedLead, ExportLog, Lead, LeadTag, Tag
from .mailevents.models import MailEvent, MailEventReceipt
from .outbox.models import OutboxMessage, PurgedDedupeKey
from .staff.models import ApiToken, StaffUser
from .webhooks.models import Webhook
from .webinars.models import Registration, Webinar

__all__ = [
    "Activity",
    "ApiToken",
    "Broadcast",
    "CallbackRequest",
    "Comment",
    "Consent",
    "ConsentVersion",
    "Ebook",
    "EbookRequestCount",
    "ErasedLead",
    "ExportLog",
    "FollowupStep",
    "Lead",
    "LeadTag",
    "LeadHourlyCount",
    "LeadStatusCount",
    "MailEvent",
    "MailEventReceipt",
    "MailText",
    "OutboxMessage",
    "Post",
    "PurgedDedupeKey",
    "Registration",
    "StaffUser",
    "Tag",
    "Webhook",
    "Webinar",
]
