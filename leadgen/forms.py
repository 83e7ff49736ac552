"""What every public HTML form shares: the honeypot, validation, typo'd addresses, the visitor's evidence."""

from flask import request, session
from marshmallow import EXCLUDE, Schema, ValidationError

from .fields import LANDING_PATH_MAX_LENGTH, REFERRER_MAX_LENGTH, UTM_FIELDS, UTM_MAX_LENGTH, normalise_email
from .leads.service import Visit
from .leads.typos import suggested_address

# A field people never see (hidden by CSS, skipped by keyboard); bots fill it in.
HONEYPOT_FIELD = "company"
# The two buttons beside "Did you mean ...?": take the suggested address, or keep the one typed.
USE_SUGGESTION_FIELD = "email_suggested"
KEEP_TYPED_FIELD = "email_checked"
# What a thank-you page names and "Fix it" fills back in: kept in the visitor's own session
# cookie, never in a URL (URLs land in logs and Referer headers).
SENT_FORM_KEY = "sent_form"
REMEMBERED_FIELDS = ("email", "first_name", "consent")


def honeypot_filled() -> bool:
    """True when the invisible field has a value: a bot, which we answer as if all went well."""
    return bool(request.form.get(HONEYPOT_FIELD, "").strip())


def load_form(schema: Schema, values: dict | None = None) -> tuple[dict, dict]:
    """Load request.form (or `values`) with a schema: (data, {}) when valid, ({}, errors by field) otherwise."""
    try:
        return schema.load(request.form.to_dict() if values is None else values, unknown=EXCLUDE), {}
    except ValidationError as error:
        return {}, error.normalized_messages()


def email_suggestion(values: dict) -> str | None:
    """The address to suggest for the one typed in `values`, unless the visitor chose to keep it."""
    typed = normalise_email(values.get("email", ""))
    if "@" not in typed or normalise_email(values.get(KEEP_TYPED_FIELD, "")) == typed:
        return None
    return suggested_address(typed)


def contact_form_values() -> dict:
    """The submitted public form, with the suggested address when its button was pressed.

    The suggestion applies only while the email field still holds the address it was made for:
    an address edited since (then submitted with Enter, which presses the first button) wins.
    """
    values = request.form.to_dict()
    chosen = values.pop(USE_SUGGESTION_FIELD, "")
    if chosen and email_suggestion(values) == normalise_email(chosen):
        values["email"] = chosen
    return values


def load_contact_form(schema: Schema) -> tuple[dict, dict]:
    """load_form for a public form taking an address: a likely typo ("gmial.com") is an error that
    asks "Did you mean ...?" until the visitor takes the suggestion or keeps what they typed."""
    values = contact_form_values()
    data, errors = load_form(schema, values)
    suggestion = email_suggestion(values)
    if suggestion and "email" not in errors:
        return {}, {**errors, "email": [f"Did you mean {suggestion}?"]}
    return data, errors


def utm_from(source) -> dict:
    """The UTM parameters and landing_path in a query string, form or loaded body, trimmed to what we store."""
    limits = {**dict.fromkeys(UTM_FIELDS, UTM_MAX_LENGTH), "landing_path": LANDING_PATH_MAX_LENGTH}
    found = {name: str(source.get(name) or "").strip()[:limit] for name, limit in limits.items()}
    return {name: text for name, text in found.items() if text}


def landing_values(landing_path: str | None = None) -> dict:
    """The hidden attribution fields of a public form on its landing GET: the query string's UTM
    parameters, the Referer header, and the page the form sits on (`landing_path`: an article's
    path for a form under it; else the query's landing_path, then this page's own path)."""
    values = {**utm_from(request.args), "referrer": (request.referrer or "")[:REFERRER_MAX_LENGTH]}
    values["landing_path"] = landing_path or values.get("landing_path") or request.path
    return values


def current_visit(data: dict | None = None) -> Visit:
    """Evidence of this request: IP and user agent for consent, referrer, UTM and landing path for attribution."""
    data = data or {}
    tags = utm_from(data) or utm_from(request.form) or utm_from(request.args)
    return Visit(
        ip_address=request.remote_addr,
        user_agent=request.user_agent.string,
        referrer=data.get("referrer") or request.form.get("referrer") or request.referrer,
        utm={name: value for name, value in tags.items() if name in UTM_FIELDS},
        landing_path=tags.get("landing_path"),
    )


def remember_sent_form(form: str, data: dict) -> None:
    """Remember what this browser just sent on `form`, for its thank-you page and "Fix it".

    Whatever the address, known or not, the same is kept: the page says the same either way.
    """
    kept = {name: data[name] for name in REMEMBERED_FIELDS if data.get(name) not in (None, "")}
    if "consent" in kept:
        kept["consent"] = "y" if kept["consent"] else ""
    session[SENT_FORM_KEY] = {"form": form, "values": kept}


def sent_form_values(form: str) -> dict:
    """The values this browser last sent on `form` (see remember_sent_form), or {}."""
    sent = session.get(SENT_FORM_KEY)
    if not isinstance(sent, dict) or sent.get("form") != form or not isinstance(sent.get("values"), dict):
        return {}
    return {name: str(value) for name, value in sent["values"].items() if name in REMEMBERED_FIELDS}
