"""What a comment accepts, what the API answers, and the moderation requests."""

import unicodedata
from urllib.parse import urlsplit

from flask import current_app
from marshmallow import Schema, ValidationError, fields, pre_load, validate

from ..fields import AttributionFields, ConsentBox, EmailAddress, PlainText, RowId
from .models import COMMENT_STATUSES

MODERATION_STATUSES = ("approved", "spam", "trash")
CHOOSE_PARENT = "Choose the comment to reply to from its Reply link."


class Website(fields.String):
    """An optional http(s) address; anything else (javascript:, data:, ftp:) is dropped, not stored."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        if "://" not in text and "." in text and " " not in text:
            text = "https://" + text  # people type "example.com"
        if len(text) > 200:
            raise ValidationError("Keep your website address under 200 characters.")
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
            return None
        return text


class CommentBody(fields.String):
    """The comment itself: several lines allowed, no control characters, within COMMENT_MAX_LENGTH."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).replace("\r\n", "\n").replace("\r", "\n").strip()
        if not text:
            raise ValidationError("Write your comment.")
        if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in text):
            raise ValidationError("Use letters, spaces and punctuation only in your comment.")
        limit = current_app.config["COMMENT_MAX_LENGTH"]
        if len(text) > limit:
            raise ValidationError(f"Keep your comment under {limit} characters (it has {len(text)}).")
        return text


class CommentCreateSchema(AttributionFields):
    """A reader's comment, from the "Leave a reply" form or the clinic's website."""

    name = PlainText(required=True, max_length=100, label="your name", error_messages={"required": "Enter your name."})
    email = EmailAddress(
        required=True,
        error_messages={"required": "Enter your email address."},
        metadata={"description": "Never published"},
    )
    website = Website(load_default=None, allow_none=True, metadata={"description": "http(s) only; others dropped"})
    body = CommentBody(required=True, error_messages={"required": "Write your comment."})
    parent_id = RowId(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": CHOOSE_PARENT},
        metadata={"description": "The comment this one replies to"},
    )
    notify = fields.Boolean(load_default=False, metadata={"description": "Email me when published and on replies"})
    consent = ConsentBox()

    @pre_load
    def blank_is_missing(self, data, **kwargs):
        """An empty optional form field means "not given"."""
        if not isinstance(data, dict):
            return data  # not an object: marshmallow answers "Invalid input type" (422)
        return {key: value for key, value in data.items() if not (key in ("parent_id", "website") and value == "")}


class CommentCreatedSchema(Schema):
    """The stored comment's id and its status (pending, approved or spam)."""

    id = fields.Integer(required=True)
    status = fields.String(required=True)


class PostSummarySchema(Schema):
    """A published article."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    published_at = fields.DateTime(required=True, format="iso")
    comment_count = fields.Integer(required=True, metadata={"description": "Approved comments"})


class CommentSchema(Schema):
    """A comment as staff see it in the moderation queue."""

    id = fields.Integer()
    post_slug = fields.String(attribute="post.slug")
    post_title = fields.String(attribute="post.title")
    parent_id = fields.Integer(allow_none=True)
    name = fields.String()
    email = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    body = fields.String()
    status = fields.String()
    moderation_note = fields.String()
    created_at = fields.DateTime(format="iso")


class CommentQuerySchema(Schema):
    """Which moderation tab to list."""

    status = fields.String(load_default="pending", validate=validate.OneOf(COMMENT_STATUSES))


class CommentStatusSchema(Schema):
    """A moderation decision."""

    status = fields.String(
        required=True,
        validate=validate.OneOf(MODERATION_STATUSES, error="Choose approved, spam or trash."),
    )
