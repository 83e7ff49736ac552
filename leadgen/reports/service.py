"""The conversion report: leads of a date range grouped by source, campaign, article or offer, with
how many consented, were contacted, booked and asked for a call back. One GROUP BY query."""

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, literal_column, or_, select

from ..extensions import db
from ..leads.export import safe_text
from ..leads.filters import filter_conditions
from ..leads.models import Activity, Lead


def first_offer():
    """The offer a lead first took: the ebook (its title) or webinar (its slug) its earliest activity
    naming one records; a lead who took neither (a comment, a call-back) is keyed by its source."""
    ebook, webinar = Activity.detail["ebook"].as_string(), Activity.detail["webinar"].as_string()
    named = (
        select(func.coalesce(ebook, webinar))
        .where(Activity.lead_id == Lead.id, or_(ebook.is_not(None), webinar.is_not(None)))
        .order_by(Activity.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(named, Lead.source)


# What a row is keyed by: the form that captured the lead (Lead.source), the first touch's
# utm_campaign, the page its first form sat on (an article's path), or the offer it first took.
GROUPINGS = {
    "source": lambda: Lead.source,
    "campaign": lambda: Lead.utm_campaign,
    "article": lambda: Lead.landing_path,
    "offer": first_offer,
}
# Grouped and ordered by the output column's name: an offer's key holds bound JSON paths, which
# PostgreSQL would not see as the same expression written twice.
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
