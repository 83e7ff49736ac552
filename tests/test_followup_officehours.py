"""OFFICE_HOURS: reading the setting, the next opening across weekends and DST, loud failure at start-up."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadgen import create_app
from leadgen.followups.officehours import OfficeHoursError, clinic_zone, next_opening, parse_office_hours

CHICAGO = clinic_zone("America/Chicago")
WEEKDAYS = parse_office_hours("Mon-Fri 09:00-17:00")
PROJECT = Path(__file__).resolve().parent.parent


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "hours", "expected"),
    [
        (utc(2026, 11, 4, 16, 0), "Mon-Fri 09:00-17:00", utc(2026, 11, 4, 16, 0)),  # Wednesday 10:00: open
        (utc(2026, 11, 4, 12, 0), "Mon-Fri 09:00-17:00", utc(2026, 11, 4, 15, 0)),  # 06:00: later that morning
        (utc(2026, 11, 4, 23, 0), "Mon-Fri 09:00-17:00", utc(2026, 11, 5, 15, 0)),  # 17:00 sharp: closed
        (utc(2026, 11, 6, 23, 30), "Mon-Fri 09:00-17:00", utc(2026, 11, 9, 15, 0)),  # Friday evening: Monday
        (utc(2026, 11, 6, 23, 30), "Mon-Fri 09:00-17:00; Sat 09:00-12:00", utc(2026, 11, 7, 15, 0)),
        (utc(2026, 11, 7, 18, 30), "Mon-Fri 09:00-17:00; Sat 09:00-12:00", utc(2026, 11, 9, 15, 0)),
        (utc(2026, 11, 4, 12, 0), "Mon,Wed 08:00-12:00; Tue-Thu 13:00-18:00", utc(2026, 11, 4, 14, 0)),
        (utc(2026, 11, 7, 12, 0), "Fri-Mon 10:00-14:00", utc(2026, 11, 7, 16, 0)),  # a range over the weekend
        (utc(2026, 3, 7, 20, 0), "Mon-Fri 09:00-17:00", utc(2026, 3, 9, 14, 0)),  # after spring forward: CDT
        (utc(2026, 10, 31, 12, 0), "Mon-Fri 09:00-17:00", utc(2026, 11, 2, 15, 0)),  # after fall back: CST
        (utc(2026, 11, 7, 3, 0), "always", utc(2026, 11, 7, 3, 0)),
    ],
)
def test_next_opening(moment, hours, expected):
    assert next_opening(moment, parse_office_hours(hours), CHICAGO) == expected


def test_a_time_skipped_by_daylight_saving_opens_at_the_first_real_moment():
    # 02:30 does not exist in Chicago on 8 March 2026; the office opens at 03:30 CDT = 08:30 UTC.
    hours = parse_office_hours("Sun 02:30-05:00")
    assert next_opening(utc(2026, 3, 8, 7, 0), hours, CHICAGO) == utc(2026, 3, 8, 8, 30)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Mon-Fry 09:00-17:00", "'mon-fry' in 'Mon-Fry 09:00-17:00' is not a day"),
        ("9 to 5", "cannot read '9 to 5'"),
        ("Mon-Fri 17:00-09:00", "closes before it opens"),
        ("Mon-Fri 09:00-25:00", "'25:00' in 'Mon-Fri 09:00-25:00' is not a time of day"),
        ("  ", "OFFICE_HOURS is empty"),
    ],
)
def test_malformed_office_hours_say_what_is_wrong_and_what_to_write(value, message):
    with pytest.raises(OfficeHoursError, match="OFFICE_HOURS") as error:
        parse_office_hours(value)
    assert message in str(error.value) and "Mon-Fri 09:00-17:00" in str(error.value)


def test_create_app_refuses_malformed_settings(monkeypatch, base_config):
    monkeypatch.setenv("OFFICE_HOURS", "weekdays nine to five")
    with pytest.raises(OfficeHoursError, match="OFFICE_HOURS: cannot read"):
        create_app(dict(base_config))
    monkeypatch.setenv("OFFICE_HOURS", "always")
    monkeypatch.setenv("CLINIC_TIMEZONE", "America/Chicagoo")
    with pytest.raises(OfficeHoursError, match="CLINIC_TIMEZONE: unknown time zone 'America/Chicagoo'"):
        create_app(dict(base_config))


@pytest.mark.slow
def test_the_command_line_fails_loudly_with_the_message(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "OFFICE_HOURS": "Mon-Fri 9-5", "SECRET_KEY": "x"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "status"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "OFFICE_HOURS: cannot read 'Mon-Fri 9-5'" in result.stderr
