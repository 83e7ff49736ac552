"""Staff sign-in and sign-out for the console under /admin (the only /admin pages open to all)."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter
from ..forms import load_form
from .schemas import LoginSchema
from .service import authenticate, sign_out

bp = Blueprint("staff", __name__, url_prefix="/admin")

# The same words whichever part was wrong, so the form cannot tell who has an account.
WRONG_CREDENTIALS = "That email and password do not match an account. Check both and try again."


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another host."""
    target = (target or "").strip()
    parts = urlsplit(target)
    local = target.startswith("/") and not target.startswith(("//", "/\\")) and not parts.scheme and not parts.netloc
    return target if local and "\\" not in target else url_for("admin.dashboard")


def login_page(values: dict, errors: dict, status: int = 200):
    """The sign-in form with its values (never the password) and messages."""
    values = {key: value for key, value in values.items() if key != "password"}
    return render_template("admin/login.html", values=values, errors=errors), status


@bp.get("/login")
def login():
    """The sign-in form; a signed-in user goes straight on."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    return login_page({"next": request.args.get("next", "")}, {})


@bp.post("/login")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login_submit():
    """Check the credentials; 303 to where the user was going, or the form again with 422."""
    data, errors = load_form(LoginSchema())
    if errors:
        return login_page(request.form.to_dict(), errors, 422)
    user = authenticate(data["email"], data["password"])
    if user is None:
        return login_page(request.form.to_dict(), {"form": [WRONG_CREDENTIALS]}, 422)
    login_user(user)
    return redirect(safe_next(data["next"]), 303)


@bp.post("/logout")
def logout():
    """Sign out everywhere (a POST with the CSRF token, so another site cannot sign you out)."""
    if current_user.is_authenticated:
        sign_out(current_user)
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for(".login"), 303)


@bp.errorhandler(429)
def too_many_attempts(error):
    """The limit on password attempts, explained on the page of the form itself."""
    wait = f"Please wait a minute and try again. ({error.description})"
    return login_page(request.form.to_dict(), {"form": [f"Too many sign-in attempts from your network. {wait}"]}, 429)
