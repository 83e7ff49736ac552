"""What an ebook request accepts, what staff give for an offer, and what the API answers."""

from marshmallow import Schema, ValidationError, fields, validate, validates

from ..fields import AttributionFields, ConsentBox, EmailAddress, FirstName, PlainText
from . import offers


class EbookFormSchema(AttributionFields):
    """A request for an ebook on its landing page (the page's address names the offer)."""

    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
    first_name = FirstName()
    consent = ConsentBox()


class EbookRequestSchema(EbookFormSchema):
    """A request for an ebook from the clinic's website, naming the offer by its slug."""

    ebook = PlainText(
        max_length=60,
        label="ebook",
        load_default="",
        metadata={"description": "An offer's slug, as in /ebook/<slug>; leave out for the default ebook"},
    )

    @validates("ebook")
    def is_offered(self, value: str, **_kwargs) -> None:
        if value and offers.offered(value) is None:
            raise ValidationError("No ebook is offered under this name: give the slug of a current offer, or none.")


class NewLinkSchema(Schema):
    """Ask for a fresh download link after an old one expired."""

    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})


class EbookOfferSchema(Schema):
    """An offer as staff write it on /admin/ebooks (the PDF comes beside it, as a file)."""

    title = PlainText(
        required=True,
        max_length=200,
        label="the title",
        required_message="Enter a title.",
        error_messages={"required": "Enter a title."},
    )
    slug = PlainText(
        required=True,
        max_length=offers.SLUG_MAX_LENGTH,
        label="the address",
        required_message="Enter the address, e.g. thyroid-guide.",
        error_messages={"required": "Enter the address, e.g. thyroid-guide."},
        validate=validate.Regexp(
            offers.SLUG_PATTERN, error="Use lower-case letters, digits and single hyphens only, e.g. thyroid-guide."
        ),
    )
    description = fields.String(
        load_default="", validate=validate.Length(max=5000, error="Keep the description under 5000 characters.")
    )

    @validates("slug")
    def not_a_page_of_its_own(self, value: str, **_kwargs) -> None:
        if value in offers.RESERVED_SLUGS:
            raise ValidationError(f"/ebook/{value} is a page of its own: choose another address.")
