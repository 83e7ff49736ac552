"""Pages of leads with their activity counts and tags, for the console list and the staff API."""

from sqlalchemy import func, select

from ..extensions import db
from .filters import Page, filtered_leads, list_key, page_after
from .models import Activity, Lead
from .tags import tags_of

# Plain columns, not Lead objects: a page of a million-row table stays cheap.
LIST_COLUMNS = (
    Lead.id,
    Lead.email,
    Lead.first_name,
    Lead.source,
    Lead.status,
    Lead.utm_source,
    Lead.utm_medium,
    Lead.utm_campaign,
    Lead.utm_content,
    Lead.utm_term,
    Lead.referrer,
    Lead.landing_path,
    Lead.marketing_consent,
    Lead.confirmed_at,
    Lead.unsubscribed_at,
    Lead.created_at,
)


def activities_count():
    """How many activities the lead of the row has (served by the activities.lead_id index)."""
    counted = select(func.count(Activity.id)).where(Activity.lead_id == Lead.id).correlate(Lead)
    return counted.scalar_subquery().label("activities_count")


def lead_page(filters: dict, cursor, limit: int, *, newest_first: bool = False) -> Page:
    """The page of leads after `cursor` (a cursor string or a decoded tuple), as dicts."""
    query = filtered_leads(filters, newest_first=newest_first, columns=[*LIST_COLUMNS, activities_count()])
    page = page_after(query, cursor, limit, newest_first=newest_first, key=list_key(filters))
    tags = tags_of(row.id for row in page.items)  # one query for the page, not one per lead
    items = [{**row._asdict(), "tags": tags.get(row.id, [])} for row in page.items]
    return Page(items=items, next_cursor=page.next_cursor)


def lead_summary(lead: Lead) -> dict:
    """One lead in the shape of a list row."""
    summary = {column.key: getattr(lead, column.key) for column in LIST_COLUMNS}
    return {**summary, "activities_count": len(lead.activities), "tags": tags_of([lead.id]).get(lead.id, [])}


def any_leads() -> bool:
    """True when at least one lead exists (tells "no leads yet" from "no match")."""
    return db.session.scalar(select(Lead.id).limit(1)) is not None
