"""Signed, expiring tokens for links in mail (download, unsubscribe, confirm, cancel), via itsdangerous.

Every link we mail names a person, not only a row: its payload carries the lead's id and a
digest of their address (sign_for_lead), and lead_for_payload answers only while both still
fit. An id that the database hands to someone new after an erasure never opens their data.
"""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .extensions import db
from .leads.models import Lead


class TokenExpired(Exception):
    """The token was ours but is too old; `payload` says what it was for."""

    def __init__(self, payload):
        super().__init__("token expired")
        self.payload = payload


class TokenInvalid(Exception):
    """The token was not signed by us for this purpose (forged, mangled or for another use)."""


def serializer(purpose: str) -> URLSafeTimedSerializer:
    """One serializer per purpose: a token for one use never works for another."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"leadgen.{purpose}")


def sign(purpose: str, payload) -> str:
    """A URL-safe token carrying `payload`, stamped with the time it was made."""
    return serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, max_age: float | None = None):
    """The payload of a valid token; raises TokenExpired or TokenInvalid."""
    try:
        return serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        payload = serializer(purpose).load_payload(error.payload) if error.payload else None
        raise TokenExpired(payload) from error
    except BadSignature as error:
        raise TokenInvalid() from error


def address_check(email: str) -> str:
    """A short digest of the address: a token for an erased lead never fits a later lead with its id.

    Tokens are signed, not encrypted, so the address itself never goes into the URL.
    """
    return hashlib.sha256(email.encode()).hexdigest()[:12]


def sign_for_lead(purpose: str, lead: Lead, **extra) -> str:
    """A token naming the lead and a digest of its address (plus `extra`), for one purpose."""
    return sign_for_person(purpose, lead.id, lead.email, **extra)


def sign_for_person(purpose: str, lead_id: int, email: str, **extra) -> str:
    """sign_for_lead from the lead's id and address as a queued message holds them (no query)."""
    return sign(purpose, {**extra, "lead": lead_id, "check": address_check(email)})


def lead_for_payload(payload) -> Lead | None:
    """The lead a sign_for_lead payload names, or None when it is gone or the id now names someone else."""
    return row_for_person(Lead, payload, "lead")


def row_for_person(model, payload, key: str):
    """The `model` row whose id the payload holds under `key`, while the row still has the
    address the payload's digest was made from; None when it is gone, has no address, or the
    id now names someone else."""
    if not isinstance(payload, dict) or not isinstance(payload.get(key), int):
        return None
    row = db.session.get(model, payload[key])
    if row is None or not row.email or not is_same_person(payload, row.email):
        return None
    return row


def is_same_person(payload: dict, email: str) -> bool:
    """True when the payload's address digest is that of `email` (constant-time compare)."""
    check = payload.get("check")
    return isinstance(check, str) and hmac.compare_digest(check, address_check(email))
