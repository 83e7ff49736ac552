"""Marshmallow fields every lead form shares: the email address and a person's name."""

import unicodedata

from marshmallow import ValidationError, fields


def normalise_email(value: str) -> str:
    """Trim and lower-case: one person is one lead however they type their address."""
    return value.strip().lower()


def has_control_characters(value: str) -> bool:
    """True for CR, LF, NUL and the like: nothing of that kind may reach a mail header."""
    return any(unicodedata.category(char) == "Cc" for char in value)


class EmailAddress(fields.String):
    """An email address checked by email-validator (syntax only: no DNS in a request)."""

    default_error_messages = {"invalid": "Enter an email address like name@example.com."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        text = normalise_email(text)
        if not text:
            raise ValidationError("Enter your email address.")
        if len(text) > 254 or has_control_characters(text):
            raise self.make_error("invalid")
        # Imported here for start-up time: email-validator compiles large Unicode patterns on import.
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(text, check_deliverability=False)
        except EmailNotValidError as error:
            raise ValidationError(f"Enter an email address like name@example.com. {error}") from error
        return text


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
