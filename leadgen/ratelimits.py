"""Per-IP limits on public POSTs: generous for a person, a 429 for a script."""

import logging

from flask import Flask, current_app

from .extensions import limiter

log = logging.getLogger(__name__)

# One budget per IP shared by every public form and API POST.
public_post_limit = limiter.shared_limit(
    lambda: current_app.config["PUBLIC_POST_LIMIT"], scope="public-post", methods=["POST"]
)

PER_PROCESS_WARNING = (
    "rate limits count per process: RATELIMIT_STORAGE_URI is memory://, so each gunicorn worker "
    "(and each host) keeps its own counters and a visitor gets the limit once per process; "
    "set RATELIMIT_STORAGE_URI to Redis (redis://host:6379/0) to share them"
)


def warn_if_counted_per_process(app: Flask) -> None:
    """Say at start-up when the limits are enforced per process (memory://) outside tests and debug."""
    config = app.config
    in_memory = config["RATELIMIT_STORAGE_URI"].startswith("memory://")
    if config["RATELIMIT_ENABLED"] and in_memory and not (app.testing or app.debug):
        log.warning(PER_PROCESS_WARNING)
