"""Reading a CSV file of leads to import: the header, the encoding, and each row checked on its own.

A file we cannot read as a whole (not UTF-8, no header, an unknown or missing column) raises
ImportFileError and nothing of it is imported; a row that is wrong (a bad address, date, IP or
tag) is refused with its line number and the reason, and the good rows still go in.
"""

import csv
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from ..database import utcnow
from ..fields import TAG_RULE, EmailAddress, PlainText, tag_name
from .models import SOURCES

REQUIRED_COLUMNS = ("email", "first_name")
OPTIONAL_COLUMNS = ("consent_text", "consent_at", "consent_ip", "tags", "source")
CONSENT_COLUMNS = ("consent_text", "consent_at", "consent_ip")
# Tags in one cell: separated by spaces or semicolons ("vip; webinar-2026").
TAG_SEPARATORS = re.compile(r"[\s;]+")
MAX_TAGS_PER_ROW = 20
BOM = "\ufeff"  # what Excel's "CSV UTF-8" puts first
# A consent time a few minutes ahead is a clock's drift; further ahead it is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


class ImportFileError(ValueError):
    """The file as a whole cannot be read: nothing of it is imported."""


class ConsentTime(fields.Field):
    """When the consent was given: ISO 8601 ("2026-11-24T15:30:00Z", "2026-11-24 15:30:00"); no zone means UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError as error:
            raise ValidationError(
                "Enter a date and time like 2026-11-24 15:30:00 (UTC) or 2026-11-24T09:30:00-06:00."
            ) from error
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        if moment > utcnow() + CLOCK_SKEW:
            raise ValidationError("The consent time is in the future.")
        return moment


class IPAddress(fields.Field):
    """The IP address the consent came from, IPv4 or IPv6, stored in its compressed form."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return str(ipaddress.ip_address(str(value).strip()))
        except ValueError as error:
            raise ValidationError("Enter an IP address like 203.0.113.7 or 2001:db8::1.") from error


class TagList(fields.Field):
    """Tags separated by spaces or semicolons, each lower-cased and checked; loaded as a sorted list."""

    def _deserialize(self, value, attr, data, **kwargs):
        words = [word for word in TAG_SEPARATORS.split(str(value)) if word]
        bad = [word for word in words if tag_name(word) is None]
        if bad:
            raise ValidationError(f"Not a tag: {', '.join(bad[:5])}. {TAG_RULE}")
        if len(words) > MAX_TAGS_PER_ROW:
            raise ValidationError(f"At most {MAX_TAGS_PER_ROW} tags a lead.")
        return sorted({tag_name(word) for word in words})


class ImportRowSchema(Schema):
    """One row of the file; empty cells are absent values."""

    email = EmailAddress(required=True, error_messages={"required": "The email cell is empty."})
    first_name = PlainText(max_length=100, label="the first name", load_default="")
    consent_text = PlainText(max_length=2000, label="the consent text")
    consent_at = ConsentTime()
    consent_ip = IPAddress()
    tags = TagList(load_default=list)
    source = fields.String(validate=validate.OneOf(SOURCES, error="Choose one of: {choices}."))

    @pre_load
    def drop_empty_cells(self, data, **kwargs):
        return {name: value for name, value in data.items() if value.strip()}


@dataclass(frozen=True)
class Evidence:
    """What the row says the person agreed to, when, and from which IP."""

    text: str
    at: datetime
    ip: str


@dataclass(frozen=True)
class Row:
    """A row that passed its checks: the line it began on and what it asks for."""

    line: int
    email: str
    first_name: str
    tags: list[str]
    source: str | None
    consent: Evidence | None
    # Which consent cells were given without the others (the lead is imported without consent).
    missing_evidence: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Refusal:
    """A row that is not imported, and why."""

    line: int
    reason: str


def decoded_lines(stream: BinaryIO) -> Iterator[str]:
    """The file's lines as text: UTF-8, with or without the BOM Excel writes; ImportFileError otherwise.

    Split on the byte 0x0A before decoding (it is never part of a longer UTF-8 sequence), so a
    wrong byte is reported on its own line, and the line endings stay for the csv module.
    """
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"Line {number} is not UTF-8 text (byte {error.start + 1} of the line): the file must be UTF-8; "
                "in a spreadsheet, save it as \u201cCSV UTF-8\u201d and try again."
            ) from error
        yield text.removeprefix(BOM) if number == 1 else text


def read_header(reader) -> list[str]:
    """The column names of the first line, checked: both required ones, no unknown or repeated one."""
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The file is empty: the first line must name the columns (email, first_name).") from None
    names = [name.strip().lower() for name in header]
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    problems = []
    if unknown := [name for name in names if name not in known]:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}")
    if repeated := sorted({name for name in names if names.count(name) > 1}):
        problems.append(f"repeated column {', '.join(map(repr, repeated))}")
    if missing := [name for name in REQUIRED_COLUMNS if name not in names]:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if problems:
        raise ImportFileError(
            f"Line 1 (the header): {'; '.join(problems)}. The columns are {', '.join(REQUIRED_COLUMNS)} and "
            f"optionally {', '.join(OPTIONAL_COLUMNS)}."
        )
    return names


def check_row(line: int, names: list[str], cells: list[str]) -> Row | Refusal:
    """One data row, checked: a Row, or the Refusal with every reason."""
    if len(cells) > len(names):
        return Refusal(line, f"{len(cells)} cells but {len(names)} columns: quote a cell that holds a comma.")
    values = dict(zip(names, cells, strict=False))
    try:
        data = ImportRowSchema().load(values)
    except ValidationError as error:
        reasons = [f"{name}: {' '.join(messages)}" for name, messages in error.normalized_messages().items()]
        return Refusal(line, "; ".join(reasons))
    given = [name for name in CONSENT_COLUMNS if name in data]
    consent = None
    if len(given) == len(CONSENT_COLUMNS):
        consent = Evidence(text=data["consent_text"], at=data["consent_at"], ip=data["consent_ip"])
    missing = tuple(name for name in CONSENT_COLUMNS if name not in data) if given and not consent else ()
    return Row(
        line=line,
        email=data["email"],
        first_name=data["first_name"],
        tags=data["tags"],
        source=data.get("source"),
        consent=consent,
        missing_evidence=missing,
    )


def read_rows(stream: BinaryIO) -> Iterator[Row | Refusal]:
    """Every data row of the file in order, each a Row or a Refusal; ImportFileError for an unreadable file.

    A blank line is skipped. The line number is the line the row begins on, as a text editor counts.
    """
    reader = csv.reader(decoded_lines(stream))
    try:
        names = read_header(reader)
        last_line = reader.line_num
        for cells in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            yield check_row(line, names, cells)
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num + 1} cannot be read as CSV: {error}.") from error
