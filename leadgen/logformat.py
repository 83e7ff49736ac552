"""How log lines look: plain text (the default, for `make run`) or one JSON object a line (LOG_FORMAT=json).

A JSON line carries time, level, logger and message, plus whatever fields the call passed
in `extra=` (the access log's method, route, status and duration_ms), and the request id of
every line written while a request is answered.
"""

import logging

from flask import g, has_request_context
from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "{levelname}{name}{message}"
JSON_NAMES = {"levelname": "level", "name": "logger"}


class RequestIdFilter(logging.Filter):
    """Adds the request id to each record written while a request is being answered."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = g.get("request_id")
        return True


def log_formatter(log_format: str) -> logging.Formatter:
    """The formatter for LOG_FORMAT: "json" (time in ISO 8601 UTC) or "text"."""
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, style="{", rename_fields=JSON_NAMES, timestamp="time")
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: str) -> None:
    """Log INFO and up to stderr, where gunicorn, honcho and the platform collect it.

    Left alone when the root logger already has a handler (pytest, or an operator's own setup).
    """
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(log_formatter(log_format))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Alembic announces each of its built-in plugins at INFO on every `flask db` command: eight
    # lines that say nothing to an operator, above the "Running upgrade" lines that do.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
