"""What every public HTML form shares: the honeypot, validation and the visitor's evidence."""

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError

from .leads.service import Visit

# A field people never see (hidden by CSS, skipped by keyboard); bots fill it in.
HONEYPOT_FIELD = "company"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign")


def honeypot_filled() -> bool:
    """True when the invisible field has a value: a bot, which we answer as if all went well."""
    return bool(request.form.get(HONEYPOT_FIELD, "").strip())


def load_form(schema: Schema) -> tuple[dict, dict]:
    """Load request.form with a schema: (data, {}) when valid, ({}, errors by field) otherwise."""
    try:
        return schema.load(request.form.to_dict(), unknown=EXCLUDE), {}
    except ValidationError as error:
        return {}, error.normalized_messages()


def utm_from(source) -> dict:
    """The UTM parameters in a query string or form, trimmed to what we store."""
    return {name: source.get(name, "").strip()[:100] for name in UTM_FIELDS if source.get(name, "").strip()}


def current_visit(data: dict | None = None) -> Visit:
    """Evidence of this request: IP and user agent for consent, referrer and UTM for attribution."""
    data = data or {}
    return Visit(
        ip_address=request.remote_addr,
        user_agent=request.user_agent.string,
        referrer=data.get("referrer") or request.form.get("referrer") or request.referrer,
        utm=utm_from(data) or utm_from(request.form) or utm_from(request.args),
    )
