"""Prometheus metrics the domains count: the outbox's deliveries, captures, request latency.

Counters and the request histogram live in this process; with PROMETHEUS_MULTIPROC_DIR set
(the Procfile sets it) prometheus-client writes them to files in that directory, so a scrape
of any gunicorn worker sums every worker and the outbox workers of the host. Whether that
mode is on is decided when prometheus_client is first imported, so the variable must be set
before the process starts. GET /metrics and the gauges read from the database at each scrape
are in scrape.py, which sits above the domains it reads (this module sits below them).
"""

from prometheus_client import Counter, Histogram, disable_created_metrics
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db
from .outbox.models import OutboxMessage

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Sources captured in the session's open transaction, counted when it commits.
PENDING_CAPTURES = "leadgen.metrics.captures"

# No *_created series: multiprocess mode has none, so one process alone shows none either.
disable_created_metrics()
# registry=None: each scrape builds its registry (scrape.py), so tests and apps never register twice.
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
