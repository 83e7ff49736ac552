"""What the staff sign-in form and the staff page's forms accept."""

from marshmallow import Schema, fields, validate

from ..fields import EmailAddress
from .models import ROLES
from .service import MIN_PASSWORD_LENGTH

NEW_PASSWORD = validate.Length(
    min=MIN_PASSWORD_LENGTH, error=f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters."
)


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


class NewAccountSchema(Schema):
    """An account an admin adds on the staff page."""

    email = EmailAddress(required=True, error_messages={"required": "Enter their email address."})
    role = fields.String(
        required=True,
        validate=validate.OneOf(ROLES, error="Choose admin or marketing."),
        error_messages={"required": "Choose admin or marketing."},
    )
    password = fields.String(
        required=True, validate=NEW_PASSWORD, error_messages={"required": "Choose a password for them."}
    )


class NewPasswordSchema(Schema):
    """A new password an admin sets for someone who forgot theirs."""

    password = fields.String(required=True, validate=NEW_PASSWORD, error_messages={"required": "Choose a password."})


class OwnPasswordSchema(NewPasswordSchema):
    """A signed-in person changing their own password proves they know the present one."""

    current_password = fields.String(
        required=True,
        validate=validate.Length(min=1, error="Enter your current password."),
        error_messages={"required": "Enter your current password."},
    )
