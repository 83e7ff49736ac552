"""OFFICE_HOURS: when someone answers the clinic's phone, and the next moment they will.

The setting reads like a sign on the door: `Mon-Fri 09:00-17:00`, several rules
separated by `;` (`Mon-Fri 09:00-17:00; Sat 09:00-12:00`), day lists (`Mon,Wed 08:00-12:00`)
or `always`. Times are wall-clock times in CLINIC_TIMEZONE, so 09:00 stays 09:00
across daylight-saving changes.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EXAMPLE = "write e.g. 'Mon-Fri 09:00-17:00', 'Mon-Fri 09:00-17:00; Sat 09:00-12:00' or 'always'"
RULE = re.compile(r"(?P<days>[A-Za-z,\- ]+?)\s+(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})")


class OfficeHoursError(ValueError):
    """OFFICE_HOURS or CLINIC_TIMEZONE cannot be read; the message says how to fix it."""


@dataclass(frozen=True)
class OfficeHours:
    """Opening windows as (weekday 0=Monday, opens, closes) in minutes after local midnight."""

    windows: tuple[tuple[int, int, int], ...]
    always: bool = False


def parse_minutes(text: str, source: str) -> int:
    """ "09:30" -> 570; "24:00" is allowed as a closing time."""
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise OfficeHoursError(f"OFFICE_HOURS: {text!r} in {source!r} is not a time of day; {EXAMPLE}")
    return hours * 60 + minutes


def parse_days(text: str, source: str) -> list[int]:
    """ "Mon-Fri" -> [0..4]; "Mon,Wed" -> [0, 2]; "Fri-Mon" wraps over the weekend."""
    days: list[int] = []
    for part in text.replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise OfficeHoursError(f"OFFICE_HOURS: {part!r} in {source!r} is not a day or range of days; {EXAMPLE}")
        start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        days.extend((start + offset) % 7 for offset in range((end - start) % 7 + 1))
    return days


@lru_cache(maxsize=16)
def parse_office_hours(text: str) -> OfficeHours:
    """Read the setting; raises OfficeHoursError with a message naming the bad part."""
    if text.strip().lower() == "always":
        return OfficeHours(windows=(), always=True)
    windows = []
    for rule in (part.strip() for part in text.split(";")):
        if not rule:
            continue
        match = RULE.fullmatch(rule)
        if not match:
            raise OfficeHoursError(f"OFFICE_HOURS: cannot read {rule!r}; {EXAMPLE}")
        opens, closes = parse_minutes(match["opens"], rule), parse_minutes(match["closes"], rule)
        if opens >= closes:
            raise OfficeHoursError(f"OFFICE_HOURS: in {rule!r} the office closes before it opens; {EXAMPLE}")
        windows.extend((day, opens, closes) for day in parse_days(match["days"], rule))
    if not windows:
        raise OfficeHoursError(f"OFFICE_HOURS is empty; {EXAMPLE}")
    return OfficeHours(windows=tuple(sorted(windows)))


def clinic_zone(name: str) -> ZoneInfo:
    """The clinic's time zone; raises OfficeHoursError for a name zoneinfo does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise OfficeHoursError(
            f"CLINIC_TIMEZONE: unknown time zone {name!r}; use an IANA name like 'America/Chicago'"
        ) from error


def checked_office_hours(text: str) -> str:
    """The setting unchanged if it parses (config calls this so a typo stops start-up)."""
    parse_office_hours(text)
    return text


def checked_timezone(name: str) -> str:
    """The zone name unchanged if zoneinfo knows it."""
    clinic_zone(name)
    return name


def wall_clock(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """`minutes` after local midnight of `day`, as UTC (a time skipped by DST maps forward)."""
    local = datetime.combine(day, time.min, tzinfo=zone) + timedelta(minutes=minutes)
    return local.astimezone(UTC)


def next_opening(moment: datetime, hours: OfficeHours, zone: ZoneInfo) -> datetime:
    """`moment` if the office is open then, otherwise the next time it opens (aware UTC)."""
    if hours.always:
        return moment
    moment = moment.astimezone(UTC)
    today = moment.astimezone(zone).date()
    # Yesterday too: a window may still be open after local midnight's DST shift; a week covers every rule.
    for offset in range(-1, 8):
        day = today + timedelta(days=offset)
        for weekday, opens, closes in hours.windows:
            if weekday != day.weekday():
                continue
            # Compare in UTC: aware datetimes sharing a tzinfo compare by wall clock, ignoring DST.
            start, end = wall_clock(day, opens, zone), wall_clock(day, closes, zone)
            if moment < end:
                return max(moment, start)
    raise AssertionError("office hours with at least one window always open within a week")
