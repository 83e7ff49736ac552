"""The conversion report: leads of a date range grouped by source, campaign, article or offer, with
how many consented, were contacted, booked and asked for a call back. One GROUP BY query."""

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, literal_column, select

from ..extensions import db
from ..leads.export import safe_text
from ..leads.filters import filter_conditions
from ..leads.models import Activity, Lead

# What a row is keyed by: the form that captured the lead (Lead.source), the first touch's
# utm_campaign, the page its first form sat on (an article's path), or the offer it first took
# (the ebook's title or webinar's slug kept on the lead at capture; its source if it took none).
GROUPINGS = {
    "source": lambda: Lead.source,
    "campaign": lambda: Lead.utm_campaign,
    "article": lambda: Lead.landing_path,
    "offer": lambda: func.coalesce(Lead.first_offer, Lead.source),
}
# Grouped and ordered by the output column's name: a key that is an expression (the CSV's safe_text
# holds bound values) is written once, where PostgreSQL would not see two copies as the same.
KEY = literal_column("key")
# The activity a call-back request records (leadgen/callbacks: capture_lead(activity=...)).
CALLBACK_ACTIVITY = "callback_requested"


@dataclass(frozen=True)
class ConversionRow:
    """One group: its key (None: no campaign / no landing path) and its counts."""

    key: str | None
    leads: int
    consented: int
    contacted: int
    booked: int
    callbacks: int

    @property
    def booked_rate(self) -> float:
        """Booked leads as a share of the group's leads (0 to 1, three decimals)."""
        return round(self.booked / self.leads, 3) if self.leads else 0.0


def counted(condition):
    """How many leads of the group meet `condition` (SUM of a CASE: one pass over the rows)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def conversions(by: str, since=None, until=None, *, for_csv: bool = False) -> list[ConversionRow]:
    """The report's rows for leads created from `since` to `until` (clinic days, both included),
    most leads first. "contacted" counts leads staff reached (contacted or booked since).
    `for_csv`: keys (visitor text: campaigns, paths) through the export's CSV guard, safe_text."""
    key = GROUPINGS[by]()
    called_back = exists().where(Activity.lead_id == Lead.id, Activity.kind == CALLBACK_ACTIVITY)
    query = (
        select(
            (safe_text(key) if for_csv else key).label("key"),
            func.count(Lead.id).label("leads"),
            counted(and_(Lead.marketing_consent.is_(True), Lead.unsubscribed_at.is_(None))).label("consented"),
            counted(Lead.status.in_(("contacted", "booked"))).label("contacted"),
            counted(Lead.status == "booked").label("booked"),
            counted(called_back).label("callbacks"),
        )
        .where(*filter_conditions({"since": since, "until": until}))
        .group_by(KEY)
        .order_by(func.count(Lead.id).desc(), KEY)
    )
    return [ConversionRow(**row._mapping) for row in db.session.execute(query)]
