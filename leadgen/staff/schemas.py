"""What the staff sign-in form accepts."""

from marshmallow import Schema, fields


class LoginSchema(Schema):
    """Email and password; which of them was wrong is never said."""

    email = fields.String(required=True, error_messages={"required": "Enter your email address."})
    password = fields.String(required=True, error_messages={"required": "Enter your password."})
    next = fields.String(load_default="")
