"""What an ebook request accepts and what the API answers."""

from marshmallow import Schema, fields

from ..fields import EmailAddress, PlainText


class EbookRequestSchema(Schema):
    """A request for the ebook, from the landing page or the clinic's website."""

    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
    first_name = PlainText(
        required=True,
        max_length=100,
        label="your first name",
        error_messages={"required": "Enter your first name."},
    )
    consent = fields.Boolean(load_default=False, metadata={"description": "Agreed to marketing email"})
    utm_source = PlainText(max_length=100, label="utm_source", load_default="")
    utm_medium = PlainText(max_length=100, label="utm_medium", load_default="")
    utm_campaign = PlainText(max_length=100, label="utm_campaign", load_default="")


class NewLinkSchema(Schema):
    """Ask for a fresh download link after an old one expired."""

    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
