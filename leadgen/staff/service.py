"""Staff accounts and API tokens."""

import hashlib
import secrets
from functools import cache

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import utcnow
from ..extensions import db
from ..fields import canonical_email, normalise_email
from .models import ROLES, ApiToken, StaffUser

MIN_PASSWORD_LENGTH = 12


class StaffError(ValueError):
    """A staff operation refused, with a message for the operator."""


def password_hash(password: str) -> str:
    """The stored form of a new password; refuses one that is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_staff_user(email: str, password: str, role: str) -> StaffUser:
    """Create an account; refuses unknown roles, short passwords and duplicate emails."""
    try:
        email = canonical_email(email)
    except ValueError as error:
        raise StaffError(f"{email.strip()!r} is not an email address ({error})") from error
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if find_staff_user(email) is not None:
        raise StaffError(f"{email} already has an account")
    user = StaffUser(email=email, password_hash=password_hash(password), role=role)
    db.session.add(user)
    db.session.commit()
    return user


def find_staff_user(email: str) -> StaffUser | None:
    """The account with this email, or None."""
    return db.session.scalars(select(StaffUser).where(StaffUser.email == normalise_email(email))).first()


def dummy_password_hash() -> str:
    """A hash of a random password, with the same hasher and parameters as real ones."""
    return random_password_hash(current_app.config["PASSWORD_HASH_METHOD"])


@cache
def random_password_hash(method: str) -> str:
    """A hash of a random password made once per hasher: hashing costs as much as checking."""
    return generate_password_hash(secrets.token_urlsafe(32), method=method)


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account whose password matches, or None (same answer for unknown emails).

    An unknown or switched-off address costs one password check too (against a dummy hash),
    so how long sign-in takes does not tell who has an account.
    """
    user = find_staff_user(email)
    known = user is not None and user.active
    matches = check_password_hash(user.password_hash if known else dummy_password_hash(), password)
    if not (known and matches):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: StaffUser, label: str = "") -> str:
    """Create an API token for the user and return it; it cannot be shown again."""
    token = "lg_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(staff_user=user, token_hash=hash_token(token), label=label))
    db.session.commit()
    return token


def user_for_token(token: str) -> StaffUser | None:
    """The active user a valid, unrevoked token belongs to, or None."""
    found = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    ).first()
    if found is None or not found.staff_user.active:
        return None
    found.last_used_at = utcnow()
    db.session.commit()
    return found.staff_user


def revoke_live_tokens(user: StaffUser) -> int:
    """Mark every unrevoked token of the user revoked, in the caller's transaction; returns how many."""
    live = [token for token in user.tokens if token.revoked_at is None]
    for token in live:
        token.revoked_at = utcnow()
    return len(live)


def revoke_tokens(user: StaffUser) -> int:
    """Revoke every token of the user; returns how many."""
    count = revoke_live_tokens(user)
    db.session.commit()
    return count


def end_sessions(user: StaffUser) -> None:
    """End every session of the account, on every device, for good (in the caller's transaction).

    Raised in SQL, so two processes ending sessions at once both count.
    """
    user.session_version = StaffUser.session_version + 1


def sign_out(user: StaffUser) -> None:
    """Signing out ends the account's sessions everywhere: a saved copy of the cookie opens nothing."""
    end_sessions(user)
    db.session.commit()


def list_staff_users() -> list[tuple[StaffUser, int]]:
    """Every account, by email, with its number of unrevoked API tokens."""
    live_tokens = (
        select(func.count(ApiToken.id))
        .where(ApiToken.staff_user_id == StaffUser.id, ApiToken.revoked_at.is_(None))
        .scalar_subquery()
    )
    rows = db.session.execute(select(StaffUser, live_tokens).order_by(StaffUser.email))
    return [(user, count) for user, count in rows]


def update_account(user: StaffUser, acting: StaffUser, *, role: str | None = None, active: bool | None = None) -> None:
    """Change another account's role, or switch it off or on again (the console's staff page).

    Nobody changes their own role or switches themselves off: whoever acts is an active admin
    and stays one, so the console always keeps an admin. Switching off revokes the account's API
    tokens and ends its sessions for good: switching it on again revives neither.
    """
    if user.id == acting.id:
        raise StaffError("You cannot change your own account here. Ask another admin.")
    if role is not None:
        if role not in ROLES:
            raise StaffError("Choose admin or marketing.")
        user.role = role
    if active is not None and active != user.active:
        user.active = active
        end_sessions(user)
        if not active:
            revoke_live_tokens(user)
    db.session.commit()


def change_own_password(user: StaffUser, current: str, new: str) -> None:
    """A signed-in person's new password, once they prove they know the present one."""
    if not check_password_hash(user.password_hash, current):
        raise StaffError("That is not your current password.")
    set_password(user, new)


def set_password(user: StaffUser, password: str) -> None:
    """Give the account a new password; every session signed in with the old one ends."""
    user.password_hash = password_hash(password)
    end_sessions(user)
    db.session.commit()
