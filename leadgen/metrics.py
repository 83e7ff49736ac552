"""Prometheus metrics: what the domains count, what the database says at scrape time, and GET /metrics.

Counters and the request histogram live in this process; with PROMETHEUS_MULTIPROC_DIR set
(the Procfile sets it) prometheus-client writes them to files in that directory, so a scrape
of any gunicorn worker sums every worker and the outbox workers of the host. Whether that
mode is on is decided when prometheus_client is first imported, so the variable must be set
before the process starts. The outbox gauges are not counted: they are read from the
database at each scrape, so they are right whichever process answers.
"""

import hmac
import os

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .database import utcnow
from .extensions import db
from .outbox.models import CATEGORIES, OutboxMessage

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# The states a message waits in; sent and cancelled only grow, the counters cover them.
WAITING_STATUSES = ("queued", "sending", "failed")
# Sources captured in the session's open transaction, counted when it commits.
PENDING_CAPTURES = "leadgen.metrics.captures"

# No *_created series: multiprocess mode has none, so one process alone shows none either.
disable_created_metrics()
# registry=None: each scrape builds its registry (below), so tests and apps never register twice.
OUTBOX_SENT = Counter(
    "leadgen_outbox_sent", "Messages the relay (or webhook receiver) accepted.", ["kind", "category"], registry=None
)
OUTBOX_FAILED = Counter(
    "leadgen_outbox_failed",
    "Failed delivery attempts; outcome=retry will be tried again, outcome=failed is given up.",
    ["kind", "category", "outcome"],
    registry=None,
)
WEBHOOK_FAILURES = Counter("leadgen_webhook_failures", "Failed webhook deliveries (each attempt).", registry=None)
LEADS_CAPTURED = Counter(
    "leadgen_leads_captured", "Form and API submissions captured, by source.", ["source"], registry=None
)
REQUEST_DURATION = Histogram(
    "leadgen_http_request_duration_seconds",
    "Time to answer a request, by route rule (never the path: it can hold a token).",
    ["method", "route", "status"],
    registry=None,
)
PROCESS_METRICS = (OUTBOX_SENT, OUTBOX_FAILED, WEBHOOK_FAILURES, LEADS_CAPTURED, REQUEST_DURATION)

bp = Blueprint("metrics", __name__)


def record_sent(message: OutboxMessage) -> None:
    """Count a message the relay or receiver accepted."""
    OUTBOX_SENT.labels(message.kind, message.category).inc()


def record_failure(message: OutboxMessage) -> None:
    """Count a failed attempt (after its new state is saved); a webhook's counts as a webhook failure too."""
    outcome = "failed" if message.status == "failed" else "retry"
    OUTBOX_FAILED.labels(message.kind, message.category, outcome).inc()
    if message.kind == "webhook":
        WEBHOOK_FAILURES.inc()


def record_capture(source: str) -> None:
    """Count a captured submission (new or returning lead) from `source` (ebook, webinar, comment...)
    when the caller's transaction commits: a refused one (a full webinar) rolls back uncounted."""
    db.session.info.setdefault(PENDING_CAPTURES, []).append(source)


@event.listens_for(Session, "after_commit")
def count_committed_captures(session: Session) -> None:
    for source in session.info.pop(PENDING_CAPTURES, ()):
        LEADS_CAPTURED.labels(source).inc()


@event.listens_for(Session, "after_soft_rollback")
def forget_rolled_back_captures(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(PENDING_CAPTURES, None)


def observe_request(method: str, route: str, status: int, duration_ms: float) -> None:
    """Add one answered request to the latency histogram, by its route rule."""
    REQUEST_DURATION.labels(method, route, str(status)).observe(duration_ms / 1000)


class OutboxCollector:
    """The outbox as the database has it now: messages waiting by status and category, and
    how long the oldest due message has waited (0 when none is due), with
    leadgen_database_up saying whether the database answered. A scrape while the database
    is down still answers (the counters, and leadgen_database_up 0) rather than failing."""

    def collect(self):
        try:
            families = list(self.outbox_families())
        except SQLAlchemyError:
            db.session.rollback()
            families = []
        yield GaugeMetricFamily(
            "leadgen_database_up",
            "1 when the database answered this scrape, 0 when it did not.",
            value=int(bool(families)),
        )
        yield from families

    def outbox_families(self):
        counts = dict.fromkeys(((status, category) for status in WAITING_STATUSES for category in CATEGORIES), 0)
        rows = db.session.execute(
            select(OutboxMessage.status, OutboxMessage.category, func.count())
            .where(OutboxMessage.status.in_(WAITING_STATUSES))
            .group_by(OutboxMessage.status, OutboxMessage.category)
        )
        for status, category, count in rows:
            counts[(status, category)] = count
        waiting = GaugeMetricFamily(
            "leadgen_outbox_messages", "Messages waiting in the outbox, by status.", labels=["status", "category"]
        )
        for (status, category), count in counts.items():
            waiting.add_metric([status, category], count)
        yield waiting
        now = utcnow()
        oldest = db.session.scalar(
            select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == "queued", OutboxMessage.due_at <= now)
        )
        db.session.rollback()  # end the read: on SQLite an open transaction holds the file
        yield GaugeMetricFamily(
            "leadgen_outbox_oldest_due_age_seconds",
            "Seconds the oldest due, unsent message has waited since it came due (0: none waiting).",
            value=(now - oldest).total_seconds() if oldest else 0,
        )


def scrape_registry() -> CollectorRegistry:
    """This scrape's registry: the outbox from the database, and the counters of every process
    of the host (multiprocess mode) or of this one."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OutboxCollector())
    if os.environ.get(MULTIPROCESS_DIR):
        MultiProcessCollector(registry)
    else:
        for metric in PROCESS_METRICS:
            registry.register(metric)
    return registry


def token_matches(expected: str) -> bool:
    """True when the request carries `Authorization: Bearer <expected>` (compared in constant time)."""
    offered = request.authorization
    if offered is None or offered.type != "bearer" or not offered.token:
        return False
    return hmac.compare_digest(offered.token.encode(), expected.encode())


@bp.get("/metrics")
def metrics():
    """The Prometheus text format; 404 while METRICS_TOKEN is unset, 401 without the right bearer token."""
    expected = current_app.config["METRICS_TOKEN"]
    if not expected:
        abort(404)
    if not token_matches(expected):
        return Response("Send Authorization: Bearer $METRICS_TOKEN.\n", 401, {"WWW-Authenticate": "Bearer"})
    return Response(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_PLAIN_0_0_4)
