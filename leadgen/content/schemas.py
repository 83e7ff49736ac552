"""What the content pages accept: subjects, Markdown bodies with known placeholders, consent sentences, steps."""

from collections.abc import Set
from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validates_schema

from ..config import parse_duration
from ..fields import PlainText, has_control_characters
from ..mailmarkdown import unknown_placeholders

BODY_MAX = 20_000
# A follow-up waits at most this long (and its seconds fit an INTEGER column).
DELAY_MAX = timedelta(days=365)
# Line breaks and tabs belong in a Markdown body; other control characters (NUL...) do not.
LAYOUT_CHARACTERS = str.maketrans("", "", "\n\r\t")


def unknown_message(unknown: list[str], allowed: Set[str]) -> str:
    """Which placeholders do not exist, and which do."""
    names = ", ".join("{" + name + "}" for name in unknown)
    offered = ", ".join("{" + name + "}" for name in sorted(allowed))
    return f"There is no placeholder {names} for this mail. Use only: {offered}."


class MailWordsSchema(Schema):
    """A mail's subject (one line, not empty) and Markdown body, using only the mail's placeholders."""

    subject = PlainText(
        required=True, max_length=200, label="the subject", error_messages={"required": "Enter a subject."}
    )
    body = fields.String(required=True, error_messages={"required": "Write the mail's text."})

    def __init__(self, allowed: Set[str], **kwargs):
        super().__init__(**kwargs)
        self.allowed = allowed

    @validates_schema(skip_on_field_errors=False)
    def known_placeholders(self, data: dict, **kwargs) -> None:
        """Every `{name}` is one of this mail's placeholders; the body is not empty or huge."""
        errors = {}
        body = data.get("body", "")
        if not body.strip():
            errors["body"] = ["Write the mail's text."]
        elif len(body) > BODY_MAX:
            errors["body"] = [f"Keep the text under {BODY_MAX} characters."]
        elif has_control_characters(body.translate(LAYOUT_CHARACTERS)):
            errors["body"] = ["Use letters, spaces, punctuation and line breaks only in the text."]
        for name in ("subject", "body"):
            if name not in errors and (unknown := unknown_placeholders(data.get(name, ""), self.allowed)):
                errors[name] = [unknown_message(unknown, self.allowed)]
        if errors:
            raise ValidationError(errors)


class ConsentSchema(Schema):
    """A form's consent sentence: one paragraph of plain text."""

    text = PlainText(
        required=True,
        max_length=1000,
        label="the consent sentence",
        error_messages={"required": "Write the consent sentence."},
    )


class Delay(fields.String):
    """A step's wait after the sequence starts: 30m, 2h, 7d."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            delay = parse_duration(super()._deserialize(value, attr, data, **kwargs))
        except (ValueError, OverflowError):
            raise ValidationError("Write the wait like 2d (days), 12h (hours) or 30m (minutes).") from None
        if delay > DELAY_MAX:
            raise ValidationError(f"Keep the wait under {DELAY_MAX.days} days.")
        return delay


class StepSchema(MailWordsSchema):
    """One follow-up step: its wait, whether it waits for office hours, its words."""

    delay = Delay(required=True, error_messages={"required": "Write the wait, like 2d."})
    office_hours = fields.Boolean(load_default=False)
