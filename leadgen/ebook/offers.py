"""Which ebooks are offered: the default at /ebook, the others at /ebook/<slug>, their PDFs and counts.

The default offer is a row like the others once anything needs its id (a request, `demo seed`,
an edit); until then it is the built-in one below, so a fresh install serves EBOOK_PATH at
/ebook with no rows at all.
"""

import re
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import case, func, select

from ..database import dialect_insert, utcnow
from ..extensions import db
from .models import Ebook, EbookRequestCount
from .sample_text import TITLE

DEFAULT_SLUG = "5-foundations"
DEFAULT_DESCRIPTION = (
    "Five chapters on what drives autoimmune disease and what you can do about each: food, gut health, "
    "toxins, infections and stress. Written by our physicians for patients."
)
DEFAULT_DOWNLOAD_NAME = "The-5-Foundations-of-Autoimmune-Diseases.pdf"
# What an offer's address may be: lower-case letters and digits, single hyphens between.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z"
SLUG_MAX_LENGTH = 60
# Paths under /ebook that are pages of their own, so never an offer's slug.
RESERVED_SLUGS = frozenset({"thanks", "download", "new-link", "admin", "api"})


def built_in_default() -> Ebook:
    """The default offer as it is before any row exists (never added to the session)."""
    return Ebook(slug=DEFAULT_SLUG, title=TITLE, description=DEFAULT_DESCRIPTION, is_default=True)


def default_offer() -> Ebook:
    """The offer at /ebook: its row, or the built-in one."""
    return db.session.scalars(select(Ebook).where(Ebook.is_default)).first() or built_in_default()


def stored_default_offer() -> Ebook:
    """The default offer's row, made now if it is not there yet (in the caller's transaction)."""
    offer = db.session.scalars(select(Ebook).where(Ebook.is_default)).first()
    if offer is None:
        values = {"slug": DEFAULT_SLUG, "title": TITLE, "description": DEFAULT_DESCRIPTION, "is_default": True}
        # Two first requests at once: one inserts, the other finds its row.
        db.session.execute(dialect_insert(Ebook).values(**values).on_conflict_do_nothing(index_elements=["slug"]))
        offer = db.session.scalars(select(Ebook).where(Ebook.is_default)).one()
    return offer


def offered(slug: str) -> Ebook | None:
    """The offer a visitor may ask for under `slug` (not retired), or None.

    Whatever a visitor typed is checked before any query: no slug has a NUL (which PostgreSQL
    refuses in text) or is longer than the column.
    """
    if not slug or len(slug) > SLUG_MAX_LENGTH or not re.match(SLUG_PATTERN, slug):
        return None
    offer = db.session.scalars(select(Ebook).where(Ebook.slug == slug)).first()
    if offer is None and slug == DEFAULT_SLUG:
        offer = default_offer()
    return None if offer is None or offer.retired else offer


def current_offers() -> list[Ebook]:
    """Every offer visitors can ask for, the default first."""
    rows = list(db.session.scalars(select(Ebook).where(Ebook.retired_at.is_(None)).order_by(Ebook.id)))
    if not any(offer.is_default for offer in rows):
        rows.insert(0, default_offer())
    return sorted(rows, key=lambda offer: not offer.is_default)


def all_offers() -> list[Ebook]:
    """Every offer, retired ones too, the default first (the console's list)."""
    rows = list(db.session.scalars(select(Ebook).order_by(Ebook.id)))
    if not any(offer.is_default for offer in rows):
        rows.insert(0, built_in_default())
    return sorted(rows, key=lambda offer: not offer.is_default)


def offer_by_id(ebook_id: int) -> Ebook | None:
    """The offer with this id, retired or not (a mailed link names it by id)."""
    return db.session.get(Ebook, ebook_id)


def ebooks_dir() -> Path:
    """Where uploaded PDFs live (EBOOKS_DIR, by default instance/ebooks)."""
    return Path(current_app.config["EBOOKS_DIR"])


def pdf_path(offer: Ebook) -> Path:
    """The offer's PDF on disk: EBOOK_PATH for the default, its own file for the others."""
    if offer.is_default or not offer.file_name:
        return Path(current_app.config["EBOOK_PATH"])
    return ebooks_dir() / offer.file_name


def download_name(offer: Ebook) -> str:
    """The file name the visitor's browser saves."""
    return DEFAULT_DOWNLOAD_NAME if offer.is_default else f"{offer.slug}.pdf"


def hour_of(moment: datetime) -> datetime:
    """The start of the UTC hour `moment` falls in."""
    return moment.replace(minute=0, second=0, microsecond=0)


def count_request(offer: Ebook, now: datetime) -> None:
    """Add one to the offer's count for this hour (in the caller's transaction).

    Run as the last statement before the commit: its row lock on PostgreSQL is held only
    while the transaction commits, as the leads' deferred count trigger does.
    """
    statement = dialect_insert(EbookRequestCount).values(hour=hour_of(now), ebook_id=offer.id, count=1)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["hour", "ebook_id"], set_={"count": EbookRequestCount.count + statement.excluded.count}
        )
    )


def request_counts() -> dict[int, dict[str, int]]:
    """Requests per offer id in the last 7 and 30 days (whole UTC hours), from the hourly counts:
    one range of the primary key, at most 720 rows an offer, however many requests there were."""
    now = utcnow()
    week_start = hour_of(now - timedelta(days=7))
    query = (
        select(
            EbookRequestCount.ebook_id,
            func.sum(case((EbookRequestCount.hour >= week_start, EbookRequestCount.count), else_=0)),
            func.sum(EbookRequestCount.count),
        )
        .where(EbookRequestCount.hour >= hour_of(now - timedelta(days=30)))
        .group_by(EbookRequestCount.ebook_id)
    )
    return {
        ebook_id: {"last_7_days": int(week or 0), "last_30_days": int(month or 0)}
        for ebook_id, week, month in db.session.execute(query)
    }
