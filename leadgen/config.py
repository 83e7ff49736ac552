"""Every setting, read from the environment, with a default that works on a laptop."""

import hashlib
import os
import re
import secrets
import tomllib
from datetime import timedelta
from pathlib import Path

from .followups.officehours import checked_office_hours, checked_timezone

TRUE_WORDS = {"1", "true", "yes", "on"}
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
LOG_FORMATS = ("text", "json")


def parse_bool(value: str | bool | None, default: bool = False) -> bool:
    """Read "true"/"1"/"yes"/"on" as True; anything else as False."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return value.strip().lower() in TRUE_WORDS


def parse_duration(text: str) -> timedelta:
    """Read "90s", "5m", "2h", "7d" (or a bare number of seconds) as a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30s, 5m, 2h, 7d)")
    number, unit = match.groups()
    return timedelta(seconds=int(number) * DURATION_UNITS[unit or "s"])


RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(text: str) -> tuple[int, timedelta]:
    """Read a rate as the limits settings write it, "600/minute" (or "10/second", "5000/hour"),
    as (how many, per period); a typo stops start-up saying what to write."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:/|per)\s*(second|minute|hour|day)s?\s*", text.lower())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"not a rate: {text!r} (use e.g. 600/minute, 10/second, 5000/hour)")
    return int(match.group(1)), timedelta(seconds=RATE_PERIODS[match.group(2)])


def parse_durations(text: str) -> list[timedelta]:
    """Read a comma-separated list of durations, e.g. "1m,5m,30m"."""
    return [parse_duration(part) for part in text.split(",") if part.strip()]


def checked_log_format(text: str) -> str:
    """LOG_FORMAT: "text" (the default) or "json"; anything else stops start-up saying so."""
    value = text.strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {text!r}")
    return value


def checked_country(text: str) -> str:
    """CLINIC_COUNTRY: a two-letter country code ("US", "GB"); anything else stops start-up.

    Checked by its shape only: phonenumbers, which knows the codes, costs a third of a second
    to import, and every command would pay it (the forms import it when they read a number).
    """
    value = text.strip().upper() or "US"
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(f"CLINIC_COUNTRY must be a two-letter country code such as US or GB, not {text!r}")
    return value


def checked_password_hash_method(text: str) -> str:
    """PASSWORD_HASH_METHOD: werkzeug's "scrypt" or "pbkdf2", bare or with their parameters
    ("scrypt:32768:8:1", "pbkdf2:sha256:600000"); anything else stops start-up, where werkzeug
    would refuse it at every sign-in."""
    value = text.strip() or "scrypt"
    method, *params = value.split(":")
    numbers = params if method == "scrypt" else params[1:]
    shape_ok = (method == "scrypt" and len(params) in (0, 3)) or (
        method == "pbkdf2" and len(params) <= 2 and (not params or params[0] in hashlib.algorithms_available)
    )
    if not shape_ok or not all(number.isascii() and number.isdigit() and int(number) > 0 for number in numbers):
        raise ValueError(f"PASSWORD_HASH_METHOD must be scrypt[:n:r:p] or pbkdf2[:hash[:iterations]], not {text!r}")
    return value


def database_url(instance_path: Path) -> str:
    """DATABASE_URL, with Heroku-style postgres:// URLs mapped to psycopg 3."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'leadgen.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: Path) -> str:
    """SECRET_KEY, or one generated once and kept in instance/ so restarts keep sessions."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def project_version() -> str:
    """The version in pyproject.toml (the console's footer shows it unless APP_VERSION says otherwise)."""
    try:
        return tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"][
            "version"
        ]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def load_settings(instance_path: Path) -> dict:
    """Build the Flask config from the environment."""
    env = os.environ.get
    mail_server = env("MAIL_SERVER", "")
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SECRET_KEY": secret_key(instance_path),
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL", "http://localhost:5000").rstrip("/"),
        # Shown in the console's footer; a deploy may set its own (a release tag, a git revision).
        "APP_VERSION": env("APP_VERSION") or project_version(),
        # Mail: without MAIL_SERVER every message is written as an .eml file instead.
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USE_TLS": parse_bool(env("MAIL_USE_TLS")),
        "MAIL_USE_SSL": parse_bool(env("MAIL_USE_SSL")),
        "MAIL_USERNAME": env("MAIL_USERNAME"),
        "MAIL_PASSWORD": env("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER", "Lakeside Autoimmune Clinic <hello@clinic.example>"),
        "MAIL_MARKETING_SENDER": env("MAIL_MARKETING_SENDER")
        or env("MAIL_DEFAULT_SENDER", "Lakeside Autoimmune Clinic <news@clinic.example>"),
        "MAIL_LIST_ID": env("MAIL_LIST_ID", "Clinic news <news.clinic.example>"),
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_FILE_DIR": env("MAIL_FILE_DIR") or str(instance_path / "mail"),
        "SMTP_TIMEOUT": float(env("SMTP_TIMEOUT", "30")),
        "OUTBOX_RETRY_DELAYS": parse_durations(env("OUTBOX_RETRY_DELAYS", "1m,5m,30m,2h,12h")),
        "OUTBOX_BATCH_SIZE": int(env("OUTBOX_BATCH_SIZE", "50")),
        "OUTBOX_LEASE": parse_duration(env("OUTBOX_LEASE", "5m")),
        "OUTBOX_POLL_INTERVAL": float(env("OUTBOX_POLL_INTERVAL", "1")),
        # The most broadcast mail all workers together hand the relay per period, as (count, period).
        "BROADCAST_RATE": parse_rate(env("BROADCAST_RATE", "600/minute")),
        # The clinic, as every page and every mail presents it.
        "CLINIC_NAME": env("CLINIC_NAME", "Lakeside Autoimmune Clinic"),
        "CLINIC_ADDRESS": env("CLINIC_ADDRESS", "1200 Lakeshore Drive, Suite 300, Chicago, IL 60611"),
        "OFFICE_PHONE": env("OFFICE_PHONE", "+1 312 555 0142"),
        # Parsed here so a typo stops start-up with a message saying what to write.
        "CLINIC_TIMEZONE": checked_timezone(env("CLINIC_TIMEZONE", "America/Chicago")),
        "OFFICE_HOURS": checked_office_hours(env("OFFICE_HOURS", "Mon-Fri 09:00-17:00")),
        # "Call me back": phone numbers without a + are read as this country's.
        "CLINIC_COUNTRY": checked_country(env("CLINIC_COUNTRY", "US")),
        # Empty: every active staff account hears of each call-back request.
        "CALLBACK_NOTIFY_TO": [a.strip() for a in env("CALLBACK_NOTIFY_TO", "").split(",") if a.strip()],
        "FOLLOWUP_DELAYS": parse_durations(env("FOLLOWUP_DELAYS", "2d,7d")),
        # werkzeug's hasher for staff passwords; scrypt's cost is the point (the test suite, which signs
        # staff in hundreds of times, sets a cheap one as Django's own test settings do).
        "PASSWORD_HASH_METHOD": checked_password_hash_method(env("PASSWORD_HASH_METHOD", "scrypt")),
        "DOUBLE_OPT_IN": parse_bool(env("DOUBLE_OPT_IN")),
        "EBOOK_PATH": env("EBOOK_PATH") or str(instance_path / "ebook.pdf"),
        "EBOOK_LINK_MAX_AGE": parse_duration(env("EBOOK_LINK_MAX_AGE", "7d")),
        # The PDFs staff upload on /admin/ebooks, and the largest one they may.
        "EBOOKS_DIR": env("EBOOKS_DIR") or str(instance_path / "ebooks"),
        "EBOOK_MAX_BYTES": int(env("EBOOK_MAX_BYTES", str(20 * 1024 * 1024))),
        "CORS_ORIGINS": [o.strip() for o in env("CORS_ORIGINS", "").split(",") if o.strip()],
        # How many proxies (load balancer, router) stand in front of gunicorn; 0 trusts no header.
        "TRUSTED_PROXIES": int(env("TRUSTED_PROXIES", "0")),
        "RATELIMIT_ENABLED": parse_bool(env("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "PUBLIC_POST_LIMIT": env("PUBLIC_POST_LIMIT", "20/minute;200/hour"),
        # Blog comments: moderation, anti-spam and who hears about new ones.
        "BLOG_PAGE_SIZE": int(env("BLOG_PAGE_SIZE", "10")),
        # Hosts an article may link to over https ("*": any); images always come from our own site.
        "ARTICLE_LINK_HOSTS": [h.strip().lower() for h in env("ARTICLE_LINK_HOSTS", "*").split(",") if h.strip()],
        "COMMENT_POST_LIMIT": env("COMMENT_POST_LIMIT", "5/minute;30/hour"),
        "COMMENT_MIN_SECONDS": float(env("COMMENT_MIN_SECONDS", "3")),
        "COMMENT_FORM_MAX_AGE": parse_duration(env("COMMENT_FORM_MAX_AGE", "1d")),
        "COMMENT_MAX_LENGTH": int(env("COMMENT_MAX_LENGTH", "5000")),
        "COMMENT_MAX_DEPTH": int(env("COMMENT_MAX_DEPTH", "3")),
        "COMMENT_MAX_LINKS": int(env("COMMENT_MAX_LINKS", "2")),
        "COMMENT_TOO_MANY_LINKS": env("COMMENT_TOO_MANY_LINKS", "pending"),  # pending | spam
        "COMMENT_DISALLOWED_WORDS": [w.strip() for w in env("COMMENT_DISALLOWED_WORDS", "").split(",") if w.strip()],
        "COMMENT_NOTIFY": env("COMMENT_NOTIFY", "each"),  # each | digest (one mail an hour) | off
        # Empty: every active staff account hears of new comments.
        "COMMENT_NOTIFY_TO": [a.strip() for a in env("COMMENT_NOTIFY_TO", "").split(",") if a.strip()],
        # A form or JSON body larger than this is refused with 413 before anything reads it.
        "MAX_CONTENT_LENGTH": int(env("MAX_CONTENT_LENGTH", str(64 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": parse_bool(env("SESSION_COOKIE_SECURE")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": parse_bool(env("SESSION_COOKIE_SECURE")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # flask-smorest: the OpenAPI document lives at /api/v1/openapi.json
        "API_TITLE": "leadgen",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # staff: sign-in attempts per IP, whatever the email, before a 429.
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "10/minute"),
        # webhooks: off, loopback, private and link-local targets are refused (the CRM is on the internet).
        "WEBHOOK_ALLOW_PRIVATE": parse_bool(env("WEBHOOK_ALLOW_PRIVATE")),
        "WTF_CSRF_TIME_LIMIT": None,
        # Mail provider events at POST /hooks/mail/<provider>: each provider's proof, refused without it.
        "MAIL_EVENTS_SECRET": env("MAIL_EVENTS_SECRET", ""),
        "MAIL_EVENTS_POSTMARK_USER": env("MAIL_EVENTS_POSTMARK_USER", "postmark"),
        "MAIL_EVENTS_POSTMARK_PASSWORD": env("MAIL_EVENTS_POSTMARK_PASSWORD", ""),
        "MAIL_EVENTS_MAILGUN_KEY": env("MAIL_EVENTS_MAILGUN_KEY", ""),
        # Hosts (shell patterns) SNS signing certificates and subscription links may come from.
        "MAIL_EVENTS_SNS_CERT_HOSTS": [
            h.strip().lower() for h in env("MAIL_EVENTS_SNS_CERT_HOSTS", "sns.*.amazonaws.com").split(",") if h.strip()
        ],
        "MAIL_EVENTS_LIMIT": env("MAIL_EVENTS_LIMIT", "600/minute"),
        # Operations: GET /metrics answers only with this bearer token (unset: 404); logs as text or JSON lines.
        "METRICS_TOKEN": env("METRICS_TOKEN", ""),
        "LOG_FORMAT": checked_log_format(env("LOG_FORMAT", "text")),
    }
