"""Importing a list of leads: what a file would do (the preview, `--dry-run`) and doing it.

The rows go through in chunks: one query each for the chunk's known leads, their tags and the
erasure records, then (when applying) the chunk's new leads through capture_lead, its names and
tags in a few statements, and one commit. A file of 100,000 rows holds one chunk in memory, plus
the set of addresses seen so far (to refuse a second row for the same person).

What a row may change, so that running a file twice changes nothing the second time:
- a new address becomes a lead (source from the file, else "import"), with marketing consent
  only when the row carries its evidence (consent_text, consent_at, consent_ip);
- a known lead gets the file's tags and, if it has none, its first name; nothing else (their
  consent, unsubscribe, source and status are theirs);
- an erased address is refused (the erasure record), as is a second row for the same address.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO

from sqlalchemy import bindparam, select, update

from ..extensions import db
from .consent import MARKETING_EMAIL, ConsentText
from .importfile import Refusal, Row, read_rows
from .models import ErasedLead, Lead, LeadTag, Tag, email_hash
from .service import Visit, capture_lead
from .tags import link_tags, tag_ids

CHUNK_ROWS = 1000
# The preview lists this many refused rows and notes; the counts always cover the whole file.
MAX_LISTED = 500
IMPORTED_CONSENT_VERSION = "imported"
ERASED_REASON = "erased on request: an erased person is never imported again"


@dataclass
class ImportReport:
    """What a file does (or did): counts by outcome, and the lines refused or worth a note."""

    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    new_without_consent: int = 0
    consent_not_applied: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[Refusal] = field(default_factory=list)

    def refuse(self, line: int, reason: str) -> None:
        self.refused += 1
        if len(self.refusals) < MAX_LISTED:
            self.refusals.append(Refusal(line, reason))

    def note(self, line: int, text: str) -> None:
        if len(self.notes) < MAX_LISTED:
            self.notes.append(Refusal(line, text))


@dataclass(frozen=True)
class Known:
    """What the import needs of a lead that exists."""

    id: int
    first_name: str
    tags: frozenset


def chunks(items: Iterator, size: int) -> Iterator[list]:
    """Lists of up to `size` items."""
    while batch := list(islice(items, size)):
        yield batch


def known_leads(emails: list[str]) -> dict[str, Known]:
    """{email: Known} for the addresses that are leads already, with their tags (two queries)."""
    found = db.session.execute(select(Lead.id, Lead.email, Lead.first_name).where(Lead.email.in_(emails))).all()
    tags: dict[int, set] = {row.id: set() for row in found}
    if found:
        query = select(LeadTag.lead_id, Tag.name).join(Tag, Tag.id == LeadTag.tag_id).where(LeadTag.lead_id.in_(tags))
        for lead_id, name in db.session.execute(query):
            tags[lead_id].add(name)
    return {row.email: Known(row.id, row.first_name, frozenset(tags[row.id])) for row in found}


def erased_hashes(hashes: Iterable[str]) -> set[str]:
    """Those of these address hashes (email_hash) that an erasure record holds."""
    found = select(ErasedLead.email_sha256).where(ErasedLead.email_sha256.in_(list(hashes)))
    return set(db.session.scalars(found))


def plan_chunk(items: list[Row | Refusal], seen: dict[str, int], report: ImportReport):
    """Sort a chunk into new rows and (known lead, row) updates; count everything in `report`."""
    rows = []
    for item in items:
        report.rows += 1
        if isinstance(item, Refusal):
            report.refuse(item.line, item.reason)
        elif item.email in seen:
            report.refuse(item.line, f"the same address as line {seen[item.email]}: one row a person")
        else:
            seen[item.email] = item.line
            rows.append(item)
    hashes = {row.email: email_hash(row.email) for row in rows}
    erased = erased_hashes(hashes.values())
    known = known_leads([row.email for row in rows])
    new, updates = [], []
    for row in rows:
        if hashes[row.email] in erased:
            report.refuse(row.line, ERASED_REASON)
        elif (lead := known.get(row.email)) is None:
            new.append(row)
            report.new += 1
            if row.consent is None:
                report.new_without_consent += 1
                if row.missing_evidence:
                    missing = ", ".join(row.missing_evidence)
                    report.note(row.line, f"imported without marketing consent: {missing} missing")
        else:
            if row.consent is not None:
                report.consent_not_applied += 1
            if (row.first_name and not lead.first_name) or set(row.tags) - lead.tags:
                updates.append((lead, row))
                report.updated += 1
            else:
                report.unchanged += 1
    return new, updates


def apply_chunk(new: list[Row], updates: list[tuple[Known, Row]], file_name: str) -> None:
    """Create the chunk's new leads (capture_lead: one way a lead is made), fill empty names, add tags; commit."""
    pairs = []
    for row in new:
        consent = (
            ConsentText(MARKETING_EMAIL.purpose, IMPORTED_CONSENT_VERSION, row.consent.text) if row.consent else None
        )
        capture = capture_lead(
            email=row.email,
            first_name=row.first_name,
            source=row.source or "import",
            activity="imported",
            visit=Visit(ip_address=row.consent.ip if row.consent else None),
            consent=consent,
            consent_granted=consent is not None,
            consented_at=row.consent.at if row.consent else None,
            detail={"file": file_name[:100], "line": row.line},
        )
        pairs += [(capture.lead.id, tag) for tag in row.tags]
    names = [{"lead_id": lead.id, "name": row.first_name} for lead, row in updates if row.first_name]
    if names:
        # Only an empty name is filled in, checked again in the statement: staff may have typed one since.
        statement = (
            update(Lead.__table__)
            .where(Lead.__table__.c.id == bindparam("lead_id"), Lead.__table__.c.first_name == "")
            .values(first_name=bindparam("name"))
        )
        db.session.execute(statement, names)
    pairs += [(lead.id, tag) for lead, row in updates for tag in row.tags]
    ids = tag_ids(tag for _lead, tag in pairs)
    link_tags((ids[tag], lead_id) for lead_id, tag in pairs)
    db.session.commit()


def run_import(
    stream: BinaryIO, *, apply: bool, file_name: str = "", progress: Callable[[int], None] | None = None
) -> ImportReport:
    """One pass over the file: count what it does, and do it when `apply`. ImportFileError if unreadable.

    Applying commits chunk by chunk: call it only for a file a dry pass has read to the end
    (import_file does), so a file that turns out unreadable half-way has changed nothing.
    """
    report, seen = ImportReport(), {}
    for items in chunks(read_rows(stream), CHUNK_ROWS):
        new, updates = plan_chunk(items, seen, report)
        if apply:
            apply_chunk(new, updates, file_name)
        else:
            db.session.rollback()  # end the read transaction; the preview holds no lock
        if progress:
            progress(len(items))
    return report


def import_file(open_file: Callable[[], BinaryIO], *, file_name: str = "", progress=None) -> ImportReport:
    """Read the whole file once (ImportFileError if it cannot be read), then import it chunk by chunk."""
    with open_file() as stream:
        run_import(stream, apply=False)
    with open_file() as stream:
        return run_import(stream, apply=True, file_name=file_name, progress=progress)
