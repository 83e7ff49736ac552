"""The access log, written by the app: one line a request naming its route, never its path.

A path can hold a signed token (`/ebook/download/<token>`) and a query string an email
address, so neither is logged; nor is the visitor's IP (DESIGN: IPs only as consent evidence).
gunicorn's own access log is off (Procfile) because it would write the raw request line.
"""

import logging
import time

from flask import Flask, Response, g, request

log = logging.getLogger("leadgen.requests")
# Flask-Limiter logs each refused request at INFO with its key, the visitor's IP; our line
# for that request already says 429.
LIMITER_LOG = logging.getLogger("flask-limiter")

# What a request that matched no route is logged as: its path could be anything a stranger typed.
UNMATCHED = "<unmatched>"


def route_name() -> str:
    """The rule the request matched (`/unsubscribe/<token>`), or UNMATCHED."""
    return request.url_rule.rule if request.url_rule is not None else UNMATCHED


def start_clock() -> None:
    """Note when the request began."""
    g.request_started = time.perf_counter()


def log_request(response: Response) -> Response:
    """One line: method, route rule, status and duration in milliseconds."""
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    route = route_name()
    log.info(
        "%s %s %s %sms",
        request.method,
        route,
        response.status_code,
        duration_ms,
        extra={"method": request.method, "route": route, "status": response.status_code, "duration_ms": duration_ms},
    )
    return response


def register_request_logging(app: Flask) -> None:
    """Time and log every request (call before the extensions, so the clock starts first)."""
    LIMITER_LOG.setLevel(logging.WARNING)
    app.before_request(start_clock)
    app.after_request(log_request)
