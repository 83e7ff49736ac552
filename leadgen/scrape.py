"""GET /metrics: one scrape. The gauges are read from the database at each scrape, so they are
right whichever process answers: the outbox, and the broadcast mail not in it yet; the counters
(metrics.py) are this process's, or with PROMETHEUS_MULTIPROC_DIR set every process's of the host.

This module reads several domains (the outbox, broadcasts), so it sits above them; metrics.py,
which the domains call to count, sits below.
"""

import hmac
import os

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from .broadcasts.service import recipients_waiting
from .database import utcnow
from .extensions import db
from .metrics import MULTIPROCESS_DIR, PROCESS_METRICS
from .outbox.models import CATEGORIES, OutboxMessage

# The states a message waits in; sent and cancelled only grow, the counters cover them.
WAITING_STATUSES = ("queued", "sending", "failed")

bp = Blueprint("metrics", __name__)


class DatabaseCollector:
    """The outbox as the database has it now: messages waiting by status and category, how
    long the oldest due message has waited (0 when none is due), and the broadcast mail not
    in the outbox yet, with leadgen_database_up saying whether the database answered. A scrape
    while the database is down still answers (the counters, and leadgen_database_up 0) rather
    than failing."""

    def collect(self):
        try:
            families = [*self.outbox_families(), self.broadcast_family()]
            db.session.rollback()  # end the read: on SQLite an open transaction holds the file
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
        yield GaugeMetricFamily(
            "leadgen_outbox_oldest_due_age_seconds",
            "Seconds the oldest due, unsent message has waited since it came due (0: none waiting).",
            value=(now - oldest).total_seconds() if oldest else 0,
        )

    def broadcast_family(self):
        # A gauge of its own, not queued marketing in leadgen_outbox_messages: that one counts
        # outbox rows, which the worker and the age gauge work on; these are not rows yet.
        return GaugeMetricFamily(
            "leadgen_broadcast_recipients_waiting",
            "Broadcast mail not in the outbox yet: recipients the worker turns into queued marketing mail "
            "a batch at a time (scheduled broadcasts included).",
            value=recipients_waiting()["recipients"],
        )


def scrape_registry() -> CollectorRegistry:
    """This scrape's registry: the gauges from the database, and the counters of every process
    of the host (multiprocess mode) or of this one."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
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
