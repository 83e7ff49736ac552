"""What an ebook request accepts and what the API answers."""

from marshmallow import Schema

from ..fields import AttributionFields, ConsentBox, EmailAddress, FirstName


class EbookRequestSchema(AttributionFields):
    """A request for the ebook, from the landing page or the clinic's website."""

    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
    first_name = FirstName()
    consent = ConsentBox()


class NewLinkSchema(Schema):
    """Ask for a fresh download link after an old one expired."""

    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
