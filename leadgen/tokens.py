"""Signed, expiring tokens for links in mail (download, unsubscribe, cancel), via itsdangerous."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


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
