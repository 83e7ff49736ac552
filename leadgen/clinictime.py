"""The clinic's wall clock: times are stored in UTC and read, typed and counted in CLINIC_TIMEZONE."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from .database import utcnow

# How pages and mail show a moment: "Tuesday 24 November 2026, 6:00 PM CST".
LONG_FORMAT = "%A %-d %B %Y, %-I:%M %p %Z"
# How the console's tables show a moment: "24 Nov 2026, 6:00 PM".
SHORT_FORMAT = "%-d %b %Y, %-I:%M %p"


def clinic_zone() -> ZoneInfo:
    """The clinic's time zone (CLINIC_TIMEZONE, checked when the settings are read)."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def clinic_today() -> date:
    """Today's date on the clinic's calendar (what "today" means on every console page)."""
    return utcnow().astimezone(clinic_zone()).date()


def clinic_time(moment: datetime, pattern: str = LONG_FORMAT) -> str:
    """A UTC datetime shown in the clinic's time zone."""
    return moment.astimezone(clinic_zone()).strftime(pattern)


def short_time(moment: datetime) -> str:
    """A UTC datetime as the console's tables show it, in the clinic's time zone."""
    return clinic_time(moment, SHORT_FORMAT)


def time_with_offset(moment: datetime) -> str:
    """A UTC time in the clinic's zone with its abbreviation and offset: "... 6:00 PM CST (UTC-06:00)"."""
    offset = moment.astimezone(clinic_zone()).strftime("%z")
    return clinic_time(moment) + f" (UTC{offset[:3]}:{offset[3:]})"
