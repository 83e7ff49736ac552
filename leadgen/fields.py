"""Marshmallow fields the forms and API bodies of every domain share: the email address, a person's
name, the consent box, a row id.

One mailbox is one lead, so every address is stored, looked up, hashed for erasure records
and rate-limited in one canonical form (canonical_email): email-validator's normalisation
(Unicode NFC local part, IDNA domain: fullwidth letters and other compatibility forms mapped,
case folded), then

- the domain in its ASCII (IDNA "xn--") form: `x@exämple.com` and `x@xn--exmple-cua.com` are
  one key, and an address with an ASCII local part is deliverable by any relay;
- the local part in lower case: mailbox providers ignore its case, and people do not type it
  consistently. Non-ASCII local parts stay valid (delivered with SMTPUTF8).
"""

import re
import unicodedata

from marshmallow import Schema, ValidationError, fields, validate

from .database import ROW_ID_MAX, row_id

# RFC 5321: the longest address a relay must accept (email-validator counts its UTF-8 octets).
EMAIL_MAX_LENGTH = 254
# A tag staff put on leads: lower-case words of letters and digits joined by hyphens ("webinar-2026-11").
TAG_MAX_LENGTH = 40
TAG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Attribution: the campaign tags of the link a visitor followed, where they came from, and the
# page (an article's path) the form sat on. Column lengths in leads/models.py match these.
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
UTM_MAX_LENGTH = 100
REFERRER_MAX_LENGTH = 500
LANDING_PATH_MAX_LENGTH = 500
ATTRIBUTION_FIELDS = (*UTM_FIELDS, "referrer", "landing_path")
TAG_RULE = (
    f"Use lower-case letters, digits and hyphens (like vip or webinar-2026), at most {TAG_MAX_LENGTH} characters."
)


def canonical_email(value: str) -> str:
    """The one stored form of an address; raises ValueError (email-validator's
    EmailNotValidError) for text that is none.

    Syntax only: no DNS in a request. Idempotent: canonical_email(canonical_email(x)) ==
    canonical_email(x).
    """
    # Imported here for start-up time: email-validator compiles large Unicode patterns on import.
    from email_validator import validate_email

    checked = validate_email(value.strip().lower(), check_deliverability=False)
    return f"{checked.local_part}@{checked.ascii_domain}"


def normalise_email(value: str) -> str:
    """The canonical form of an address for lookups; text that is no address comes back trimmed
    and lower-cased (it matches no stored lead, as every stored address is canonical)."""
    try:
        return canonical_email(value)
    except ValueError:
        return value.strip().lower()


def has_control_characters(value: str) -> bool:
    """True for CR, LF, NUL and the like: nothing of that kind may reach a mail header."""
    return any(unicodedata.category(char) == "Cc" for char in value)


class EmailAddress(fields.String):
    """An email address checked by email-validator, loaded as its canonical form (canonical_email)."""

    default_error_messages = {"invalid": "Enter an email address like name@example.com."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("Enter your email address.")
        if len(text) > EMAIL_MAX_LENGTH or has_control_characters(text):
            raise self.make_error("invalid")
        try:
            # email-validator also refuses what no relay could deliver: quoted local parts, IP
            # literals, special-use domains, over 254 octets once the domain is in IDNA ASCII.
            return canonical_email(text)
        except ValueError as error:
            raise ValidationError(f"Enter an email address like name@example.com. {error}") from error


class PlainText(fields.String):
    """Single-line text without control characters, trimmed, within a length."""

    def __init__(self, *, max_length: int = 100, label: str = "this", required_message: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.label = label
        self.required_message = required_message

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if has_control_characters(text):
            raise ValidationError(f"Use letters, spaces and punctuation only in {self.label}.")
        if len(text) > self.max_length:
            raise ValidationError(f"Keep {self.label} under {self.max_length} characters.")
        if not text and self.required:
            raise ValidationError(self.required_message or f"Enter {self.label}.")
        return text


class FirstName(PlainText):
    """The first name a public form asks for (our mail greets the person by it)."""

    def __init__(self, **kwargs):
        super().__init__(
            required=True,
            max_length=100,
            label="your first name",
            error_messages={"required": "Enter your first name."},
            **kwargs,
        )


class ConsentBox(fields.Boolean):
    """The "send me occasional emails" box beside a public form: unticked unless the visitor ticks it."""

    def __init__(self, **kwargs):
        super().__init__(load_default=False, metadata={"description": "Agreed to marketing email"}, **kwargs)


class RowId(fields.Integer):
    """The id of a row, sent as a JSON number or as ASCII digits ("42"), from 1 to ROW_ID_MAX.

    Anything else gets the field's "invalid" message: Unicode digits ("²", "٣"), signs,
    fractions, and numbers too long for int() or for an INTEGER column.
    """

    def __init__(self, **kwargs):
        # Never fails (_deserialize checks first): it puts the bounds in the OpenAPI document.
        kwargs.setdefault("validate", validate.Range(min=1, max=ROW_ID_MAX))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            number = value if 1 <= value <= ROW_ID_MAX else None
        else:
            number = row_id(value) if isinstance(value, str) else None
        if not number:
            raise self.make_error("invalid")
        return number


def tag_name(text: str) -> str | None:
    """The tag `text` names (trimmed, lower-cased), or None when it is no tag (see TAG_RULE)."""
    name = text.strip().lower()
    if len(name) > TAG_MAX_LENGTH or not TAG_PATTERN.fullmatch(name):
        return None
    return name


class TagName(fields.String):
    """A tag: loaded trimmed and lower-cased ("VIP " is vip); anything else outside TAG_RULE is refused."""

    default_error_messages = {"invalid": TAG_RULE}

    def _deserialize(self, value, attr, data, **kwargs):
        name = tag_name(super()._deserialize(value, attr, data, **kwargs))
        if name is None:
            raise self.make_error("invalid")
        return name


class AttributionFields(Schema):
    """The attribution fields every public form and its API body take, all optional (mix into the
    form's schema: `class RegistrationSchema(AttributionFields): ...`)."""

    utm_source = PlainText(max_length=UTM_MAX_LENGTH, label="utm_source", load_default="")
    utm_medium = PlainText(max_length=UTM_MAX_LENGTH, label="utm_medium", load_default="")
    utm_campaign = PlainText(max_length=UTM_MAX_LENGTH, label="utm_campaign", load_default="")
    utm_content = PlainText(max_length=UTM_MAX_LENGTH, label="utm_content", load_default="")
    utm_term = PlainText(max_length=UTM_MAX_LENGTH, label="utm_term", load_default="")
    referrer = PlainText(max_length=REFERRER_MAX_LENGTH, label="referrer", load_default="")
    landing_path = PlainText(max_length=LANDING_PATH_MAX_LENGTH, label="landing_path", load_default="")
