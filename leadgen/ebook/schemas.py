"""What an ebook request accepts and what the API answers."""

from marshmallow import Schema

from ..fields import ConsentBox, EmailAddress, FirstName, PlainText


class EbookRequestSchema(Schema):
    """A request for the ebook, from the landing page or the clinic's website."""

    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
    first_name = FirstName()
    consent = ConsentBox()
    utm_source = PlainText(max_length=100, label="utm_source", load_default="")
    utm_medium = PlainText(max_length=100, label="utm_medium", load_default="")
    utm_campaign = PlainText(max_length=100, label="utm_campaign", load_default="")


class NewLinkSchema(Schema):
    """Ask for a fresh download link after an old one expired."""

    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
