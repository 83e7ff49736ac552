"""The numbers on the dashboard: leads by day and source, this week against last, booked, outbox."""

import bisect
import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select

from ..clinictime import clinic_today, clinic_zone
from ..database import utcnow
from ..extensions import db
from ..leads.counts import LeadHourlyCount, LeadStatusCount
from ..leads.models import SOURCES, Lead
from ..leads.status import STAFF_STATUSES
from ..mailevents.models import MailEvent
from ..outbox.models import OutboxMessage

CHART_DAYS = 30
HOUR = timedelta(hours=1)
FAILED_SHOWN = 20
# The spam-complaint rate Gmail and Yahoo hold bulk senders under (their 2024 sender rules).
COMPLAINT_CEILING = 0.003


@dataclass(frozen=True)
class DailyLeads:
    """Leads per clinic-calendar day and source, oldest day first."""

    days: list[date]
    counts: dict[str, list[int]]

    def total(self, index: int) -> int:
        """All sources on one day."""
        return sum(series[index] for series in self.counts.values())


def midnight(day: date) -> datetime:
    """The start of a clinic-calendar day as an aware datetime (correct across DST changes)."""
    return datetime.combine(day, time.min, tzinfo=clinic_zone())


def whole_hours(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The whole UTC hours inside [start, end), as (start of the first, end of the last)."""
    first = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if first < start:
        first += HOUR
    return first, end.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def counts_between(boundaries: list[datetime]) -> dict[tuple[int, str], int]:
    """Leads per (period, source), where period i runs from boundaries[i] to boundaries[i + 1].

    The whole UTC hours of each period are added up from lead_hourly_counts (one row per hour
    and source, however many leads came); the parts of an hour at either end (midnight at :30
    in some zones, "now" in the weekly totals) are counted from the leads themselves, a few
    minutes' worth each. So the cost follows the number of hours shown, not of leads.
    """
    counts: Counter = Counter()
    spans, pieces = [], []  # (first whole hour, end, period); (period, start, end) of the rest
    for period, (start, end) in enumerate(itertools.pairwise(boundaries)):
        first, last = whole_hours(start, end)
        if first >= last:
            pieces.append((period, start, end))
            continue
        spans.append((first, last, period))
        pieces += [(period, start, first), (period, last, end)]
    if spans:
        starts = [first for first, _last, _period in spans]
        hourly = select(LeadHourlyCount.hour, LeadHourlyCount.source, LeadHourlyCount.count).where(
            LeadHourlyCount.hour >= spans[0][0], LeadHourlyCount.hour < spans[-1][1]
        )
        for hour, source, count in db.session.execute(hourly):
            _first, last, period = spans[bisect.bisect_right(starts, hour) - 1]
            if hour < last:  # not an hour split between two periods: its pieces are counted below
                counts[period, source] += count
    ranges = [
        (period, and_(Lead.created_at >= start, Lead.created_at < end)) for period, start, end in pieces if start < end
    ]
    if ranges:
        period_of = case(*[(condition, period) for period, condition in ranges])
        query = (
            select(period_of.label("period"), Lead.source, func.count())
            .where(or_(*[condition for _period, condition in ranges]))
            .group_by("period", Lead.source)
        )
        for period, source, count in db.session.execute(query):
            counts[period, source] += count
    return dict(counts)


def leads_per_day(days: int = CHART_DAYS) -> DailyLeads:
    """The last `days` clinic-calendar days including today, each source as a series."""
    today = clinic_today()
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
    today = midnight(clinic_today())
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


def mail_event_rates(days: int = CHART_DAYS) -> dict:
    """Bounces and complaints the mail provider reported against email sent, over `days` days.

    Both counts are ranges of an index (ix_mail_events_created_at_kind, ix_outbox_sent_at):
    the cost follows the month's mail, never the number of leads.
    """
    since = utcnow() - timedelta(days=days)
    by_kind = dict(
        db.session.execute(
            select(MailEvent.kind, func.count()).where(MailEvent.created_at >= since).group_by(MailEvent.kind)
        ).all()
    )
    sent = (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at >= since, OutboxMessage.kind == "email")
        )
        or 0
    )
    bounces, complaints = by_kind.get("bounce", 0), by_kind.get("complaint", 0)
    complaint_rate = complaints / sent if sent else 0.0
    return {
        "days": days,
        "sent": sent,
        "bounces": bounces,
        "soft_bounces": by_kind.get("soft_bounce", 0),
        "complaints": complaints,
        "bounce_rate": bounces / sent if sent else 0.0,
        "complaint_rate": complaint_rate,
        # With nothing sent a single complaint is still worth a warning.
        "complaints_too_high": complaints > 0 and (not sent or complaint_rate >= COMPLAINT_CEILING),
        "ceiling": COMPLAINT_CEILING,
    }
