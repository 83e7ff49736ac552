"""Who may do what: session sign-in for the console, bearer tokens and roles for the API."""

from functools import wraps

from flask import abort, g, request

from ..database import row_id
from ..extensions import db, login_manager
from .models import StaffUser
from .service import user_for_token

# The API's staff tokens (from `staff token`), as OpenAPI names them: the scheme the spec declares,
# and the `security` of every staff endpoint (`@blp.doc(security=STAFF_TOKEN)`).
BEARER_SCHEME = ("bearerAuth", {"type": "http", "scheme": "bearer"})
STAFF_TOKEN = [{BEARER_SCHEME[0]: []}]


def register_login(app) -> None:
    """Session sign-in for the console: where a signed-out visitor is sent, and who a session is."""
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)


def load_user(session_id: str) -> StaffUser | None:
    """Flask-Login, on every request: the signed-in user, while the session's version is the account's.

    Signing out, a new password and switching the account off or on raise the account's
    version, so a session (or a copy of its cookie) made before any of them opens nothing.
    """
    account_id, _, version = session_id.partition(":")
    user = db.session.get(StaffUser, found) if (found := row_id(account_id)) else None
    if user is None or version != str(user.session_version):
        return None
    return user


def bearer_user() -> StaffUser | None:
    """The staff user of the request's `Authorization: Bearer` token, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(token.strip())


def api_staff_required(role: str | None = None):
    """API: 401 without a valid token, 403 for a role that may not; sets g.staff_user."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = bearer_user()
            if user is None:
                abort(401, description="Send a staff API token: Authorization: Bearer <token>.")
            if role and user.role != role:
                abort(403, description=f"This needs the {role} role.")
            g.staff_user = user
            return view(*args, **kwargs)

        return wrapper

    return decorator
