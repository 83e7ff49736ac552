"""What webinar forms and API bodies accept, and what the API answers."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates

from ..database import utcnow
from ..fields import AttributionFields, ConsentBox, EmailAddress, FirstName, PlainText

AWARE_TIME_MESSAGE = "Give the time with its timezone, e.g. 2026-12-03T18:00:00-06:00 or 2026-12-04T00:00:00Z."


class RegistrationSchema(AttributionFields):
    """A visitor's registration, from the webinar page or the clinic's website."""

    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
    first_name = FirstName()
    consent = ConsentBox()


class WebinarSchema(Schema):
    """An upcoming webinar as the clinic's website lists it."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True, format="iso", metadata={"description": "ISO 8601, UTC"})
    duration_minutes = fields.Integer(required=True)
    seats_left = fields.Integer(required=True)


class WebinarCreateSchema(Schema):
    """A webinar as staff schedule it; starts_at must carry its timezone."""

    title = PlainText(
        required=True,
        max_length=200,
        label="the title",
        required_message="Enter a title.",
        error_messages={"required": "Enter a title."},
    )
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    presenter = PlainText(max_length=200, label="the presenter", load_default="")
    starts_at = fields.AwareDateTime(
        required=True,
        format="iso",
        error_messages={
            "required": "Enter the start time.",
            "invalid": AWARE_TIME_MESSAGE,
            "invalid_awareness": AWARE_TIME_MESSAGE,
        },
    )
    duration_minutes = fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(min=10, max=480, error="Choose a duration between 10 and 480 minutes."),
        error_messages={"required": "Enter the duration in minutes.", "invalid": "Enter a whole number of minutes."},
    )
    capacity = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=100_000, error="Choose between 1 and 100000 seats."),
        error_messages={"required": "Enter how many seats there are.", "invalid": "Enter a whole number of seats."},
    )
    join_url = fields.URL(
        required=True,
        schemes={"https", "http"},
        validate=validate.Length(max=500),
        error_messages={"required": "Enter the join link.", "invalid": "Enter a link like https://meet.example/abc."},
    )
    replay_url = fields.URL(
        load_default=None,
        allow_none=True,
        schemes={"https", "http"},
        validate=validate.Length(max=500),
        error_messages={"invalid": "Enter a link like https://video.example/replay, or leave it empty."},
    )

    @pre_load
    def empty_replay_is_none(self, data, **_kwargs):
        """A form's empty replay field (or "" in JSON) means no recording yet."""
        if isinstance(data, dict) and data.get("replay_url") == "":
            data = {**data, "replay_url": None}
        return data

    @validates("starts_at")
    def in_the_future(self, value: datetime, **_kwargs) -> None:
        if value <= utcnow():
            raise ValidationError("Choose a start time in the future.")


class WebinarPatchSchema(WebinarCreateSchema):
    """Staff's change to a webinar: any of these fields (loaded with partial=True); status only "cancelled"."""

    status = fields.String(
        validate=validate.OneOf(["cancelled"], error='The only status you can set is "cancelled".'),
    )

    class Meta:
        exclude = ("title", "description", "presenter")


class WebinarDetailSchema(Schema):
    """A webinar as staff see it after a change."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True, format="iso")
    duration_minutes = fields.Integer(required=True)
    capacity = fields.Integer(required=True)
    seats_taken = fields.Integer(required=True)
    join_url = fields.String(required=True)
    replay_url = fields.String(allow_none=True)
    status = fields.String(required=True)
    revision = fields.Integer(required=True, metadata={"description": "the calendar file's SEQUENCE"})


class RegistrantSchema(Schema):
    """One registration of a webinar, for staff."""

    lead_id = fields.Integer(required=True)
    email = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "registered or cancelled"})
    attended = fields.Boolean(required=True)


class WebinarCreatedSchema(Schema):
    """Where the new webinar lives."""

    slug = fields.String(required=True)


class LocalDateTime(fields.Field):
    """A datetime-local form value ("2026-12-03T18:00"), naive until the form's timezone is applied."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return datetime.fromisoformat(str(value).strip())
        except ValueError as error:
            raise ValidationError("Enter a date and time, e.g. 2026-12-03 18:00.") from error


class WebinarFormSchema(WebinarCreateSchema):
    """The staff page's form: a local date and time plus the timezone it is in."""

    starts_at = LocalDateTime(required=True, error_messages={"required": "Enter the start date and time."})
    timezone = fields.String(required=True, error_messages={"required": "Choose the timezone."})

    def __init__(self, *args, current_start: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Editing a webinar may keep its (possibly past) start; any new start must be ahead.
        self.current_start = current_start

    @validates("timezone")
    def known_zone(self, value: str, **_kwargs) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError("Choose a timezone like America/Chicago.") from error

    @validates("starts_at")
    def in_the_future(self, value: datetime, **_kwargs) -> None:
        """Checked in make_aware, once the timezone is known."""

    @post_load
    def make_aware(self, data: dict, **_kwargs) -> dict:
        starts_at = data["starts_at"]
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=ZoneInfo(data["timezone"]))
        current = self.current_start
        if current is not None and starts_at == current.replace(second=0, microsecond=0):
            starts_at = current  # unchanged (the form shows minutes): keep the stored time
        elif starts_at <= utcnow():
            raise ValidationError({"starts_at": ["Choose a start time in the future."]})
        data["starts_at"] = starts_at
        return data
