"""The numbers on the dashboard: leads by day and source, this week against last, booked, outbox."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ARRAY, case, func, literal, select

from ..database import is_postgresql, utcnow
from ..extensions import db
from ..leads.models import SOURCES, Lead, LeadStatusCount
from ..leads.status import STAFF_STATUSES
from ..outbox.models import OutboxMessage

CHART_DAYS = 30
FAILED_SHOWN = 20


@dataclass(frozen=True)
class DailyLeads:
    """Leads per clinic-calendar day and source, oldest day first."""

    days: list[date]
    counts: dict[str, list[int]]

    def total(self, index: int) -> int:
        """All sources on one day."""
        return sum(series[index] for series in self.counts.values())


def clinic_zone() -> ZoneInfo:
    """The clinic's time zone: days on the dashboard start at its midnight."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def midnight(day: date) -> datetime:
    """The start of a clinic-calendar day as an aware datetime (correct across DST changes)."""
    return datetime.combine(day, time.min, tzinfo=clinic_zone())


def counts_between(boundaries: list[datetime]) -> dict[tuple[int, str], int]:
    """Leads per (period, source), where period i runs from boundaries[i] to boundaries[i + 1].

    One query whatever the number of periods, over the created_at range of the (created_at,
    id) index. PostgreSQL's width_bucket finds each row's period by a binary search; SQLite
    has no such function, so a CASE names it there.
    """
    if is_postgresql():
        thresholds = literal(boundaries, ARRAY(Lead.created_at.type))
        period = func.width_bucket(Lead.created_at, thresholds) - 1
    else:
        period = case(*[(Lead.created_at < end, index) for index, end in enumerate(boundaries[1:])])
    query = (
        select(period.label("period"), Lead.source, func.count())
        .where(Lead.created_at >= boundaries[0], Lead.created_at < boundaries[-1])
        .group_by("period", Lead.source)
    )
    return {(index, source): count for index, source, count in db.session.execute(query)}


def leads_per_day(days: int = CHART_DAYS) -> DailyLeads:
    """The last `days` clinic-calendar days including today, each source as a series."""
    today = utcnow().astimezone(clinic_zone()).date()
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    counts = counts_between([midnight(day) for day in day_list] + [midnight(today + timedelta(days=1))])
    return DailyLeads(
        days=day_list,
        counts={source: [counts.get((index, source), 0) for index in range(days)] for source in SOURCES},
    )


def weekly_totals() -> list[dict]:
    """Per source: leads in the last 7 days, in the 7 days before, and the change."""
    now = utcnow()
    counts = counts_between([now - timedelta(days=14), now - timedelta(days=7), now + timedelta(seconds=1)])
    rows = []
    for source in (*SOURCES, None):
        if source is None:
            this_week = sum(counts.get((1, name), 0) for name in SOURCES)
            last_week = sum(counts.get((0, name), 0) for name in SOURCES)
        else:
            this_week, last_week = counts.get((1, source), 0), counts.get((0, source), 0)
        rows.append({"source": source or "all", "this_week": this_week, "last_week": last_week})
    return rows


def status_totals() -> dict[str, int]:
    """How many leads staff marked booked and contacted (counted by triggers into lead_status_counts)."""
    counts = dict(db.session.execute(select(LeadStatusCount.status, LeadStatusCount.count)).all())
    return {status: counts.get(status, 0) for status in STAFF_STATUSES}


def outbox_summary() -> dict:
    """Queued and failed counts, mail sent since the clinic's midnight, the latest failures.

    Each count is a range of an index (status, or sent_at), so years of sent mail cost nothing.
    """
    by_status = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.status.in_(("queued", "sending", "failed")))
            .group_by(OutboxMessage.status)
        ).all()
    )
    today = midnight(utcnow().astimezone(clinic_zone()).date())
    sent_today = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at >= today)
    )
    failed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "failed")
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(FAILED_SHOWN)
    )
    return {
        "queued": by_status.get("queued", 0) + by_status.get("sending", 0),
        "failed_count": by_status.get("failed", 0),
        "sent_today": sent_today or 0,
        "failed": list(failed),
    }
