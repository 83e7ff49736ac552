"""What the staff sign-in form accepts."""

from marshmallow import Schema, fields, validate

from ..leads.fields import EmailAddress


class LoginSchema(Schema):
    """Email and password; which of them was wrong is never said."""

    # Checked like every address we store (staff accounts are created with the same check).
    email = EmailAddress(required=True, error_messages={"required": "Enter your email address."})
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, error="Enter your password."),
        error_messages={"required": "Enter your password."},
    )
    next = fields.String(load_default="")
