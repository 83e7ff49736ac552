"""Console pages for staff accounts: each person's own account at /admin/account, and the staff
page at /admin/staff (admins only): accounts, roles, switching off, passwords, tokens."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from ..admin.console import admin_only, require_staff
from ..extensions import db, limiter
from ..forms import load_form
from . import service
from .models import ROLES, StaffUser
from .schemas import NewAccountSchema, NewPasswordSchema, OwnPasswordSchema

bp = Blueprint("staff_admin", __name__, url_prefix="/admin")
bp.before_request(require_staff)


def staff_page(errors: dict | None = None, password_for: int | None = None):
    """Every account with its actions and the form to add one; with `errors`, a 422 that keeps
    what was typed (never a password). `password_for` is the account whose new-password form
    failed: it opens with its message."""
    # A new account is marketing unless the admin chooses otherwise.
    values = {"role": "marketing", **{key: value for key, value in request.form.items() if key != "password"}}
    page = render_template(
        "admin/staff.html",
        accounts=service.list_staff_users(),
        roles=ROLES,
        values=values,
        errors=errors or {},
        password_for=password_for,
    )
    return page, 422 if errors else 200


def account_or_404(user_id: int) -> StaffUser:
    return db.session.get(StaffUser, user_id) or abort(404)


def back_to_staff(message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for(".index"), 303)


@bp.get("/staff")
@admin_only
def index():
    """Every account: role, state, last sign-in, live API tokens."""
    return staff_page()


@bp.post("/staff")
@admin_only
def create():
    """Add an account; its owner signs in with the password the admin chose and passes on."""
    data, errors = load_form(NewAccountSchema())
    if not errors:
        try:
            user = service.create_staff_user(data["email"], data["password"], data["role"])
        except service.StaffError as refused:  # the address already has an account
            errors = {"email": [f"{refused}."]}
    if errors:
        return staff_page(errors)
    return back_to_staff(f"Account added: {user.email} ({user.role}). Give them their password in person or by phone.")


@bp.post("/staff/<int:user_id>/role")
@admin_only
def change_role(user_id: int):
    """Make an account admin or marketing."""
    return updated(account_or_404(user_id), role=request.form.get("role", ""))


@bp.post("/staff/<int:user_id>/deactivate")
@admin_only
def deactivate(user_id: int):
    """Switch an account off: no sign-in, its API tokens revoked, its sessions ended for good."""
    return updated(account_or_404(user_id), active=False)


@bp.post("/staff/<int:user_id>/activate")
@admin_only
def activate(user_id: int):
    """Switch an account on again: it signs in afresh; old sessions and tokens stay dead."""
    return updated(account_or_404(user_id), active=True)


def updated(user: StaffUser, **change):
    """Apply a change to another account and say what happened."""
    try:
        service.update_account(user, current_user, **change)
    except service.StaffError as refused:
        return back_to_staff(str(refused), "error")
    if "role" in change:
        return back_to_staff(f"{user.email} is now {user.role}.")
    if user.active:
        return back_to_staff(f"{user.email} can sign in again. Issue them a new API token if they need one.")
    return back_to_staff(f"{user.email} is switched off: no sign-in, and their API tokens are revoked.")


@bp.post("/staff/<int:user_id>/password")
@admin_only
def new_password(user_id: int):
    """Set a new password for someone who forgot theirs."""
    user = account_or_404(user_id)
    if user.id == current_user.id:
        return back_to_staff("Change your own password on Your account, where you give the current one.", "error")
    data, errors = load_form(NewPasswordSchema())
    if errors:
        return staff_page({f"password-{user.id}": errors["password"]}, password_for=user.id)
    service.set_password(user, data["password"])
    return back_to_staff(f"New password set for {user.email}. Give it to them in person or by phone.")


@bp.post("/staff/<int:user_id>/tokens")
@admin_only
def issue_token(user_id: int):
    """A new API token for the account (the CRM's, say), shown once in the next page's message."""
    user = account_or_404(user_id)
    if not user.active:
        return back_to_staff(f"{user.email} is switched off: switch the account on before issuing it a token.", "error")
    label = " ".join(request.form.get("label", "").split())[:100]
    token = service.issue_token(user, label=label)
    named = f" ({label})" if label else ""
    return back_to_staff(f"API token for {user.email}{named}. Store it now; it is not shown again: {token}", "info")


@bp.post("/staff/<int:user_id>/revoke-tokens")
@admin_only
def revoke_tokens(user_id: int):
    """Revoke every API token of an account (a leaked token, a CRM replaced)."""
    user = account_or_404(user_id)
    count = service.revoke_tokens(user)
    return back_to_staff(f"Revoked {count} API token{'s' if count != 1 else ''} of {user.email}.")


def account_page(errors: dict | None = None, status: int | None = None):
    """Your account: who you are signed in as, your role, and the form to change your password."""
    return render_template("admin/account.html", errors=errors or {}), status or (422 if errors else 200)


@bp.get("/account")
def account():
    return account_page()


@bp.post("/account/password")
# Guessing the current password from a session left open is limited like guessing at sign-in.
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def change_password():
    """Change your own password; 303 back with a note, or the form again with 422."""
    data, errors = load_form(OwnPasswordSchema())
    if not errors:
        try:
            service.change_own_password(current_user, data["current_password"], data["password"])
            # A new password ends every session of the old one; this one carries on with the new version.
            login_user(current_user._get_current_object())
        except service.StaffError as refused:
            errors = {"current_password": [str(refused)]}
    if errors:
        return account_page(errors)
    flash("Your password is changed. Use the new one next time you sign in.", "success")
    return redirect(url_for(".account"), 303)


@bp.errorhandler(429)
def too_many_attempts(error):
    """The limit on password attempts, explained beside the current-password field."""
    wait = f"Please wait a minute and try again. ({error.description})"
    return account_page({"current_password": [f"Too many password attempts from your network. {wait}"]}, 429)
