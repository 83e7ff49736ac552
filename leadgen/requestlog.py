"""The access log, written by the app: one line a request naming its route, never its path.

A path can hold a signed token (`/ebook/download/<token>`) and a query string an email
address, so neither is logged; nor is the visitor's IP (DESIGN: IPs only as consent evidence).
gunicorn's own access log is off (Procfile) because it would write the raw request line.
"""

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from . import metrics

log = logging.getLogger("leadgen.requests")
# Flask-Limiter logs each refused request at INFO with its key, the visitor's IP; our line
# for that request already says 429.
LIMITER_LOG = logging.getLogger("flask-limiter")

# What a request that matched no route is logged as: its path could be anything a stranger typed.
UNMATCHED = "<unmatched>"
# A proxy's X-Request-ID is kept only when it is short and plain (a UUID, a hex id): anything
# else (a signed token, an address, a line break) could put what we never log into the log.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,36}")


def route_name() -> str:
    """The rule the request matched (`/unsubscribe/<token>`), or UNMATCHED."""
    return request.url_rule.rule if request.url_rule is not None else UNMATCHED


def incoming_request_id() -> str:
    """The X-Request-ID the proxy sent, if it looks safe; otherwise a new one."""
    offered = request.headers.get("X-Request-ID", "")
    return offered if SAFE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def start_clock() -> None:
    """Note when the request began and which id its log lines carry."""
    g.request_started = time.perf_counter()
    g.request_id = incoming_request_id()


def log_request(response: Response) -> Response:
    """One line: method, route rule, status and duration in milliseconds; and the same into the
    latency histogram. The answer carries the request id, so a visitor's report can be found."""
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    route = route_name()
    request_id = g.get("request_id")
    fields = {
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "duration_ms": duration_ms,
        "request_id": request_id,
    }
    log.info("%s %s %s %sms", request.method, route, response.status_code, duration_ms, extra=fields)
    if duration_ms is not None:
        metrics.observe_request(request.method, route, response.status_code, duration_ms)
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


def register_request_logging(app: Flask) -> None:
    """Time and log every request (call before the extensions, so the clock starts first)."""
    LIMITER_LOG.setLevel(logging.WARNING)
    app.before_request(start_clock)
    app.after_request(log_request)
