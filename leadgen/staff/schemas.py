"""What the staff sign-in form accepts."""

from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    """Email and password; which of them was wrong is never said."""

    email = fields.String(
        required=True,
        validate=validate.Regexp(r".*\S", error="Enter your email address."),
        error_messages={"required": "Enter your email address."},
    )
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, error="Enter your password."),
        error_messages={"required": "Enter your password."},
    )
    next = fields.String(load_default="")
