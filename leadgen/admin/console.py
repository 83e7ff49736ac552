"""What every console blueprint shares: the sign-in guard, the admins-only check and the 403 page.

Each console blueprint (the dashboard here, and each domain's `admin.py`) installs the guard
the same way, `bp.before_request(require_staff)`, so no console page can forget it.
"""

from functools import wraps

from flask import abort, render_template, request
from flask_login import current_user

from ..errors import error_response
from ..extensions import login_manager

CONSOLE_PREFIX = "/admin/"


def require_staff():
    """Before every console page: a signed-out visitor goes to the sign-in page (and back after)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def admin_only(view):
    """A console page for admins only: a marketing user gets the 403 page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def forbidden(error):
    """A marketing user on an admin action, on any console page: say so, and offer the way back."""
    if request.path.startswith(CONSOLE_PREFIX) and current_user.is_authenticated:
        return render_template("admin/forbidden.html"), 403
    return error_response(error)


def register_forbidden_page(app) -> None:
    """The console's 403 page for every /admin path; elsewhere the usual error answer."""
    app.register_error_handler(403, forbidden)
