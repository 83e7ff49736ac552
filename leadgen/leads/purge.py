"""`leads purge`: remove leads who never engaged, so we keep no one longer than we need."""

import calendar
import re
from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, exists, select

from ..database import utcnow
from ..extensions import db
from ..outbox.models import OutboxMessage
from .models import Activity, Consent, Lead


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


def cutoff_for(age: str, now: datetime) -> datetime:
    """ "24m" (months), "90d" (days) or "2y" (years) before `now`; raises ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*([dmy])\s*", age.lower())
    if not match:
        raise ValueError(f"{age!r} is not an age: write e.g. 24m (months), 90d (days) or 2y (years)")
    number, unit = int(match[1]), match[2]
    if unit == "d":
        return now - timedelta(days=number)
    return months_before(now, number * (12 if unit == "y" else 1))


def unengaged_leads(cutoff: datetime):
    """Leads with no consent, never confirmed, never contacted or booked, and no activity since `cutoff`."""
    recent_activity = exists().where(Activity.lead_id == Lead.id, Activity.created_at >= cutoff)
    return select(Lead.id).where(
        Lead.marketing_consent.is_(False),
        Lead.confirmed_at.is_(None),
        Lead.status == "new",
        Lead.created_at < cutoff,
        ~recent_activity,
    )


def purge_unengaged(cutoff: datetime, dry_run: bool = False) -> int:
    """Delete the unengaged leads (with their consents, activities and mail) and commit; return how many.

    Webinar registrations go with them (ON DELETE CASCADE); blog comments stay, unlinked.
    """
    ids = list(db.session.scalars(unengaged_leads(cutoff)))
    if dry_run or not ids:
        return len(ids)
    for model in (OutboxMessage, Activity, Consent):
        db.session.execute(delete(model).where(model.lead_id.in_(ids)))
    db.session.execute(delete(Lead).where(Lead.id.in_(ids)))
    db.session.commit()
    return len(ids)


@click.command("purge")
@click.option("--older-than", "age", required=True, help="Age without engagement: 24m (months), 90d or 2y.")
@click.option("--dry-run", is_flag=True, help="Count the leads, delete nothing.")
@with_appcontext
def purge_command(age: str, dry_run: bool):
    """Remove leads who never engaged (no consent, never confirmed, nothing since the cutoff)."""
    try:
        cutoff = cutoff_for(age, utcnow())
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--older-than") from error
    count = purge_unengaged(cutoff, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    click.echo(f"{verb} {count} lead(s) with no engagement since {cutoff:%Y-%m-%d}")
