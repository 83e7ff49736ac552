"""What a call-back request accepts, what staff may set, and what the staff API answers."""

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate

from ..fields import AttributionFields, ConsentBox, EmailAddress, FirstName, PlainText, has_control_characters
from .models import BEST_TIMES, CALLBACK_STATUSES, CLOSED_STATUSES, NOTE_MAX_LENGTH

PHONE_MESSAGE = "Enter a phone number we can call, like (312) 555-0100."
# Longer than any number written with spaces and punctuation; beyond it, nothing is parsed.
PHONE_INPUT_MAX = 40


class PhoneNumber(fields.String):
    """A phone number someone can dial, read for the clinic's country (CLINIC_COUNTRY) unless it
    starts with +; loaded as E.164 ("+13125550100")."""

    default_error_messages = {"invalid": PHONE_MESSAGE}

    def _deserialize(self, value, attr, data, **kwargs):
        # Imported here, not at the top: only the call-back forms read phone numbers, and every
        # CLI command would otherwise pay a third of a second for phonenumbers at start-up.
        import phonenumbers

        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text or len(text) > PHONE_INPUT_MAX or has_control_characters(text):
            raise self.make_error("invalid")
        try:
            number = phonenumbers.parse(text, current_app.config["CLINIC_COUNTRY"])
        except phonenumbers.NumberParseException as error:
            raise self.make_error("invalid") from error
        if not phonenumbers.is_valid_number(number):
            raise self.make_error("invalid")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_format(e164: str) -> str:
    """The number as people of the clinic's country write it ("(312) 555-0100"); others international."""
    import phonenumbers  # here, not at the top: see PhoneNumber

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == current_app.config["CLINIC_COUNTRY"]:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def checked_best_time(value: str) -> None:
    """Refuse a best time that is not one of the choices (the form's select offers only those)."""
    if value not in BEST_TIMES:
        raise ValidationError("Choose morning, afternoon, evening or any time.")


class CallbackRequestSchema(AttributionFields):
    """A "call me back" request, from /call-back, the short forms or the clinic's website."""

    first_name = FirstName()
    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
    phone = PhoneNumber(required=True, error_messages={"required": PHONE_MESSAGE})
    best_time = fields.String(load_default="any", validate=checked_best_time, metadata={"enum": list(BEST_TIMES)})
    note = PlainText(max_length=NOTE_MAX_LENGTH, label="the note", load_default="")
    consent = ConsentBox()


class CallbackQuerySchema(Schema):
    """Which requests to list (staff API); open by default."""

    status = fields.String(
        load_default="open", validate=validate.OneOf(CALLBACK_STATUSES, error="Choose one of: {choices}.")
    )


class CallbackStatusSchema(Schema):
    """What staff set on a request through the API: called, booked or no_answer."""

    status = fields.String(
        required=True, validate=validate.OneOf(CLOSED_STATUSES, error="Choose called, booked or no_answer.")
    )


class ConsoleStatusSchema(Schema):
    """The console's buttons: any status, open again included."""

    status = fields.String(required=True, validate=validate.OneOf(CALLBACK_STATUSES, error="Choose a status."))


class CallbackSchema(Schema):
    """A call-back request as staff see it (the phone in E.164)."""

    id = fields.Integer()
    first_name = fields.String()
    email = fields.Function(lambda request: request.lead.email)
    phone = fields.String()
    best_time = fields.String()
    note = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
