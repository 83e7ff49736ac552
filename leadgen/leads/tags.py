"""Tags on leads: one lead at a time (the lead page, the API), every lead of a filter at once
(set-based SQL, never a loop per lead), and the tags of a page of leads."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, literal, select, true

from ..database import dialect_insert
from ..extensions import db
from .filters import filter_conditions, tag_id_param
from .models import Lead, LeadTag, Tag


def tag_ids(names: Iterable[str]) -> dict[str, int]:
    """{name: id} of these tags, creating the ones that do not exist yet; in the caller's transaction.

    `names` must be valid tag names (fields.tag_name). Two staff adding a new tag at once make one row.
    """
    names = sorted(set(names))
    if not names:
        return {}
    db.session.execute(
        dialect_insert(Tag.__table__).on_conflict_do_nothing(index_elements=["name"]),
        [{"name": name} for name in names],
    )
    return dict(db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names))).all())


def link_tags(pairs: Iterable[tuple[int, int]]) -> int:
    """Put tags on leads: (tag_id, lead_id) pairs, those already there left alone; how many were new.

    In the caller's transaction: the import adds a chunk's tags with its leads.
    """
    pairs = set(pairs)
    if not pairs:
        return 0
    # Each row carries its lead's created_at: the key of ix_lead_tags_tag_id_created.
    leads = select(Lead.id, Lead.created_at).where(Lead.id.in_({lead_id for _tag_id, lead_id in pairs}))
    created = dict(db.session.execute(leads).all())
    rows = [{"tag_id": tag_id, "lead_id": lead_id, "lead_created_at": created[lead_id]} for tag_id, lead_id in pairs]
    table = LeadTag.__table__
    statement = dialect_insert(table).on_conflict_do_nothing(index_elements=["tag_id", "lead_id"])
    return len(db.session.execute(statement.returning(table.c.lead_id), rows).all())


def add_tag(lead_id: int, name: str) -> bool | None:
    """Put tag `name` (valid, see fields.tag_name) on the lead and commit; None when there is no such lead."""
    if db.session.get(Lead, lead_id) is None:
        return None
    added = link_tags([(tag_ids([name])[name], lead_id)])
    db.session.commit()
    return bool(added)


def remove_tag(lead_id: int, name: str) -> bool | None:
    """Take tag `name` off the lead and commit; None when there is no such lead. The tag itself stays."""
    if db.session.get(Lead, lead_id) is None:
        return None
    tag = select(Tag.id).where(Tag.name == name).scalar_subquery()
    removed = db.session.execute(delete(LeadTag).where(LeadTag.lead_id == lead_id, LeadTag.tag_id == tag)).rowcount
    db.session.commit()
    return bool(removed)


def tags_of(lead_ids: Iterable[int]) -> dict[int, list[str]]:
    """{lead id: its tags, sorted} for a page of leads, in one query (ix_lead_tags_lead_id)."""
    found: dict[int, list[str]] = defaultdict(list)
    ids = list(lead_ids)
    if ids:
        query = (
            select(LeadTag.lead_id, Tag.name)
            .join(Tag, Tag.id == LeadTag.tag_id)
            .where(LeadTag.lead_id.in_(ids))
            .order_by(Tag.name)
        )
        for lead_id, name in db.session.execute(query):
            found[lead_id].append(name)
    return found


def all_tag_names() -> list[str]:
    """Every tag there is, by name (the list's filter)."""
    return list(db.session.scalars(select(Tag.name).order_by(Tag.name)))


@dataclass(frozen=True)
class BulkCount:
    """What tagging every lead of a filter would touch: the leads matching, and how many carry the tag."""

    matching: int
    tagged: int


def count_for_bulk(filters: dict, name: str) -> BulkCount:
    """How many leads the filters select, and how many of them already carry tag `name` (the confirmation)."""
    conditions = filter_conditions(filters)
    matching = db.session.scalar(select(func.count(Lead.id)).where(*conditions))
    tagged = db.session.scalar(
        select(func.count(LeadTag.lead_id)).where(
            LeadTag.tag_id == tag_id_param(name), LeadTag.lead_id.in_(select(Lead.id).where(*conditions))
        )
    )
    return BulkCount(matching=matching, tagged=tagged)


def tag_matching(filters: dict, name: str) -> int:
    """Put tag `name` on every lead the filters select, in one INSERT ... SELECT; commit; how many were new."""
    tag_id = tag_ids([name])[name]
    # SQLite needs a WHERE before ON CONFLICT in an INSERT ... SELECT, even when no filter is chosen.
    chosen = select(literal(tag_id), Lead.id, Lead.created_at).where(true(), *filter_conditions(filters))
    statement = (
        dialect_insert(LeadTag.__table__)
        .from_select(["tag_id", "lead_id", "lead_created_at"], chosen)
        .on_conflict_do_nothing(index_elements=["tag_id", "lead_id"])
        # SQLAlchemy keeps an INSERT's rowcount only when asked (it is -1 on PostgreSQL otherwise).
        .execution_options(preserve_rowcount=True)
    )
    added = db.session.execute(statement).rowcount
    db.session.commit()
    return added


def untag_matching(filters: dict, name: str) -> int:
    """Take tag `name` off every lead the filters select, in one DELETE; commit; how many lost it."""
    tag = select(Tag.id).where(Tag.name == name).scalar_subquery()
    chosen = select(Lead.id).where(*filter_conditions(filters))
    removed = db.session.execute(delete(LeadTag).where(LeadTag.tag_id == tag, LeadTag.lead_id.in_(chosen))).rowcount
    db.session.commit()
    return removed
