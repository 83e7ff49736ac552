"""The lead filters the console list, the CSV export, the CLI and the API share, and keyset pages.

Every list of leads is ordered by (created_at, id), which the index ix_leads_created_at_id
(and the source/status/campaign ones, and for a tag ix_lead_tags_tag_id_created) serves, so
page N costs the same as page 1 at a million rows.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema
from sqlalchemy import Select, and_, bindparam, literal, or_, select, tuple_

from ..clinictime import clinic_zone
from ..database import is_postgresql, row_id
from ..extensions import db
from ..fields import PlainText, TagName
from ..webinars.models import Registration, Webinar
from .models import SOURCES, STATUSES, Lead, LeadTag, Tag


class LeadFilterSchema(Schema):
    """Filters of a lead list: all optional; empty query-string values mean "any"."""

    class Meta:
        unknown = EXCLUDE  # page, cursor, limit and the like belong to the caller

    source = fields.String(validate=validate.OneOf(SOURCES, error="Choose one of: {choices}."))
    status = fields.String(validate=validate.OneOf(STATUSES, error="Choose one of: {choices}."))
    consent = fields.String(
        validate=validate.OneOf(("yes", "no"), error="Choose yes or no."),
        metadata={"description": "yes: consented to marketing and not unsubscribed; no: the others"},
    )
    since = fields.Date(
        error_messages={"invalid": "Enter a date like 2026-11-24."},
        metadata={"description": "created on or after this day (clinic time zone)"},
    )
    until = fields.Date(
        error_messages={"invalid": "Enter a date like 2026-11-24."},
        metadata={"description": "created on or before this day (clinic time zone)"},
    )
    q = PlainText(
        max_length=100,
        label="the search",
        metadata={"description": "part of the name or email (on SQLite: the start of the first name or email)"},
    )
    webinar = PlainText(
        max_length=120, label="the webinar", metadata={"description": "slug of a webinar the lead is registered for"}
    )
    campaign = PlainText(
        max_length=100, label="the campaign", metadata={"description": "the utm_campaign of the lead's first touch"}
    )
    tag = TagName(metadata={"description": "a tag the lead carries (lower-case letters, digits, hyphens)"})

    @pre_load
    def drop_empty_values(self, data, **kwargs):
        """`?source=&since=` from a form that was submitted untouched means no filter."""
        return {key: value for key, value in dict(data).items() if str(value).strip() != ""}

    @validates_schema
    def check_range(self, data, **kwargs):
        """A range that ends before it starts is a mistake worth telling the user about."""
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("The end date must be on or after the start date.", "until")


def start_of_day(day: date) -> datetime:
    """Midnight of `day` in the clinic's time zone, as an aware datetime (what staff mean by a date)."""
    return datetime.combine(day, time.min, tzinfo=clinic_zone())


def filter_conditions(filters: dict) -> list:
    """The WHERE conditions for loaded filters (the output of LeadFilterSchema().load)."""
    conditions = []
    if filters.get("source"):
        conditions.append(Lead.source == filters["source"])
    if filters.get("status"):
        conditions.append(Lead.status == filters["status"])
    if filters.get("consent") == "yes":
        conditions += [Lead.marketing_consent.is_(True), Lead.unsubscribed_at.is_(None)]
    elif filters.get("consent") == "no":
        conditions.append(or_(Lead.marketing_consent.is_(False), Lead.unsubscribed_at.is_not(None)))
    if filters.get("since"):
        conditions.append(Lead.created_at >= start_of_day(filters["since"]))
    if filters.get("until") and filters["until"] < date.max:  # the last day there is ends nothing
        conditions.append(Lead.created_at < start_of_day(filters["until"] + timedelta(days=1)))
    if filters.get("campaign"):
        # An equality range of ix_leads_utm_campaign_created_at, already in the list's order.
        conditions.append(Lead.utm_campaign == filters["campaign"])
    if filters.get("q"):
        conditions.append(name_or_email_matches(filters["q"]))
    if filters.get("webinar"):
        registered = (
            select(Registration.lead_id)
            .join(Webinar, Webinar.id == Registration.webinar_id)
            .where(Webinar.slug == filters["webinar"], Registration.status == "registered")
        )
        conditions.append(Lead.id.in_(registered))
    if filters.get("tag"):
        conditions.append(Lead.id.in_(tagged_with(filters["tag"])))
    return conditions


def tagged_with(name: str) -> Select:
    """The ids of the leads carrying tag `name`: one index range of lead_tags (tag_id first)."""
    return select(LeadTag.lead_id).where(LeadTag.tag_id == tag_id_param(name))


def tag_id_param(name: str):
    """Tag `name`'s id (0 when there is no such tag: no lead has it), written into the statement.

    As a number, not a join on the name: PostgreSQL then knows from its statistics how many leads
    carry that very tag and plans for it (through a join on the name it walked every lead newest
    first looking for a rare tag's few: 9 s for a tag on 10 of a million leads).
    """
    tag_id = db.session.scalar(select(Tag.id).where(Tag.name == name)) or 0
    return bindparam("tag_id", tag_id, unique=True, literal_execute=True)


def name_or_email_matches(search: str):
    """The search of the lead list, served by ix_leads_name_email_search.

    PostgreSQL: any part of the email or the first name, any case (trigram GIN index).
    SQLite: the start of the email, or of the first name as typed, lower-case or capitalised
    (ranges of the btree indexes; a LIKE there ignores case and so could not use them).
    """
    if is_postgresql():
        # Escape LIKE wildcards: a search for "50%" means the characters, not a pattern.
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        return or_(Lead.email.like(pattern, escape="\\"), Lead.first_name.ilike(pattern, escape="\\"))
    names = dict.fromkeys((search, search.lower(), search.capitalize()))  # in order, without repeats
    return or_(starts_with(Lead.email, search.lower()), *(starts_with(Lead.first_name, name) for name in names))


def starts_with(column, prefix: str):
    """`column` begins with `prefix`, as a range of the column's index (U+10FFFF sorts after every character)."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def list_key(filters: dict) -> tuple:
    """The two columns a list of leads is ordered and paged by: the lead's (created_at, id), or with
    a tag chosen the same two values as lead_tags holds them, the key of ix_lead_tags_tag_id_created."""
    if filters.get("tag"):
        return LeadTag.lead_created_at, LeadTag.lead_id
    return Lead.created_at, Lead.id


def filtered_leads(filters: dict, *, newest_first: bool = False, columns=None) -> Select:
    """SELECT of leads (or of `columns`) matching `filters`, ordered by list_key for keyset pages.

    With a tag chosen, the leads are read through the tag's range of ix_lead_tags_tag_id_created,
    already in the list's order, so a page costs the same for a tag on 1% of a million leads as on
    all of them; probing each lead newest first for a rare tag would read 100 leads per row shown.
    """
    created_at, lead_id = list_key(filters)
    query = select(*(columns or [Lead]))
    if columns is not None:
        query = query.select_from(Lead)
    if filters.get("tag"):
        query = query.join(LeadTag, and_(LeadTag.lead_id == Lead.id, LeadTag.tag_id == tag_id_param(filters["tag"])))
        filters = {**filters, "tag": None}  # the join is the tag's condition
    order = (created_at.desc(), lead_id.desc()) if newest_first else (created_at, lead_id)
    return query.where(*filter_conditions(filters)).order_by(*order)


class InvalidCursor(ValueError):
    """A cursor that we did not issue (edited, truncated)."""


def encode_cursor(created_at: datetime, lead_id: int) -> str:
    """An opaque cursor naming the last lead of a page."""
    raw = f"{created_at.isoformat()}|{lead_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(created_at, id) from a cursor made by encode_cursor; InvalidCursor otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, lead_id = raw.split("|")
        created_at = datetime.fromisoformat(stamp)
        if created_at.tzinfo is None:
            raise ValueError("naive")
        if not (number := row_id(lead_id)):  # we only issue ids of rows
            raise ValueError("not an id")
        return created_at, number
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor("This page link is not valid; start again from the first page.") from error


class CursorField(fields.String):
    """A `cursor` query parameter: loads to (created_at, id) or a 422 with a clear message."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return decode_cursor(super()._deserialize(value, attr, data, **kwargs))
        except InvalidCursor as error:
            raise ValidationError(str(error)) from error


@dataclass(frozen=True)
class Page:
    """One keyset page: the rows and the cursor of the next page (None on the last page)."""

    items: list
    next_cursor: str | None


def page_after(
    query: Select, cursor: str | tuple | None, limit: int, *, newest_first: bool = False, key: tuple | None = None
) -> Page:
    """Run `query` (from filtered_leads, same newest_first) for the page after `cursor`; `key` is
    the query's list_key (default the lead's own (created_at, id)).

    Fetches one row more than `limit` to know whether a next page exists. Rows may be
    Lead objects or rows with `created_at` and `id` columns.
    """
    if cursor:
        created_at, lead_id = decode_cursor(cursor) if isinstance(cursor, str) else cursor
        key = tuple_(*(key or (Lead.created_at, Lead.id)))
        bound = tuple_(literal(created_at, Lead.created_at.type), literal(lead_id, Lead.id.type))
        query = query.where(key < bound if newest_first else key > bound)
    result = db.session.execute(query.limit(limit + 1))
    # select(Lead) gives Lead objects; select(columns...) gives rows.
    rows = list(result.scalars() if query.column_descriptions[0]["expr"] is Lead else result)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
    return Page(items=rows, next_cursor=next_cursor)
