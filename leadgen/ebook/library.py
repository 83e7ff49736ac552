"""What staff do to the offers on /admin/ebooks: add one with its PDF, edit it, retire and restore it.

Bad input changes nothing: every check runs before the PDF is written, and a PDF written for a
row that then fails to commit is removed again, so no file is left without its offer.
"""

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from ..database import utcnow
from ..extensions import db
from . import offers
from .models import Ebook

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
# A PDF ends with "startxref", the offset of its cross-reference, and "%%EOF", within its last
# bytes (a little after, at most some padding). Reading the two ends is enough to refuse a
# file of another kind or one cut short by a failed upload, without a PDF library.
PDF_TAIL_BYTES = 2048
SLUG_TAKEN = "Another ebook has this address: choose another."


@dataclass
class CheckedPdf:
    """An upload that passed the checks, still in werkzeug's temporary file."""

    upload: FileStorage
    size: int


def megabytes(size: int) -> str:
    """A size as people read it."""
    return f"{size / (1024 * 1024):.1f} MB"


def check_pdf(upload: FileStorage | None, required: bool) -> tuple[CheckedPdf | None, list[str]]:
    """The uploaded PDF if it is one within EBOOK_MAX_BYTES; else the messages saying why not."""
    if upload is None or not upload.filename:
        return None, (["Choose the PDF to upload."] if required else [])
    stream = upload.stream
    stream.seek(0, 2)
    size = stream.tell()
    limit = current_app.config["EBOOK_MAX_BYTES"]
    if size == 0:
        return None, ["The file is empty: choose the PDF again."]
    if size > limit:
        return None, [f"The PDF is {megabytes(size)}; the largest allowed is {megabytes(limit)}."]
    stream.seek(0)
    head = stream.read(len(PDF_MAGIC))
    stream.seek(max(0, size - PDF_TAIL_BYTES))
    tail = stream.read()
    stream.seek(0)
    if head != PDF_MAGIC:
        return None, ["This file is not a PDF. Export or save the ebook as PDF and upload that file."]
    if b"startxref" not in tail or b"%%EOF" not in tail:
        return None, ["This PDF looks cut short or damaged (it has no end marker). Export it again and upload that."]
    return CheckedPdf(upload, size), []


def slug_errors(slug: str, offer: Ebook | None) -> list[str]:
    """Why `slug` cannot be this offer's address (another offer has it), or nothing."""
    if offer is not None and offer.is_default:
        if slug == offers.DEFAULT_SLUG:
            return []
    elif slug == offers.DEFAULT_SLUG:
        return [SLUG_TAKEN]
    taken = db.session.scalar(select(Ebook.id).where(Ebook.slug == slug))
    return [SLUG_TAKEN] if taken is not None and (offer is None or taken != offer.id) else []


def check_offer(data: dict, upload: FileStorage | None, offer: Ebook | None) -> tuple[CheckedPdf | None, dict]:
    """Every check of a new (offer None) or changed offer: the PDF and, messages by field."""
    errors: dict[str, list[str]] = {}
    if slug_message := slug_errors(data["slug"], offer):
        errors["slug"] = slug_message
    if offer is not None and offer.is_default:
        pdf, pdf_errors = None, []
        if upload is not None and upload.filename:
            pdf_errors = ["The default ebook's PDF is the file EBOOK_PATH names: replace that file on the server."]
    else:
        pdf, pdf_errors = check_pdf(upload, required=offer is None)
    if pdf_errors:
        errors["pdf"] = pdf_errors
    return pdf, errors


def store_pdf(pdf: CheckedPdf, slug: str) -> str:
    """Write the PDF into EBOOKS_DIR under a new name of ours; returns the name."""
    folder = offers.ebooks_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{slug}-{secrets.token_hex(6)}.pdf"
    pdf.upload.save(folder / name)
    return name


def remove_file(name: str | None) -> None:
    """Delete a PDF of ours; a file already gone is not an error."""
    if name:
        (offers.ebooks_dir() / Path(name).name).unlink(missing_ok=True)


def save_offer(offer: Ebook, data: dict, pdf: CheckedPdf | None) -> dict:
    """Write the new PDF (if any), apply `data`, commit; on failure, remove the new file again.

    Returns {} or the slug's message when another offer took it meanwhile (the unique index).
    """
    old_file, new_file = offer.file_name, store_pdf(pdf, data["slug"]) if pdf else None
    try:
        offer.title, offer.slug, offer.description = data["title"], data["slug"], data["description"].strip()
        if new_file:
            offer.file_name, offer.file_size = new_file, pdf.size
        db.session.add(offer)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        remove_file(new_file)
        return {"slug": [SLUG_TAKEN]}
    except Exception:
        db.session.rollback()
        remove_file(new_file)
        raise
    if new_file and old_file:
        # Links already mailed name the offer, not the file: they now get the new PDF.
        try:
            remove_file(old_file)
        except OSError as error:  # the change is saved; a file left behind only takes space
            log.warning("could not remove the replaced ebook PDF %s: %s", old_file, error)
    return {}


def create_offer(data: dict, upload: FileStorage | None) -> tuple[Ebook | None, dict]:
    """A new offer with its PDF: (the offer, {}) or (None, messages by field), nothing stored."""
    pdf, errors = check_offer(data, upload, None)
    if errors:
        return None, errors
    offer = Ebook(is_default=False)
    errors = save_offer(offer, data, pdf)
    return (None, errors) if errors else (offer, {})


def update_offer(offer: Ebook, data: dict, upload: FileStorage | None) -> dict:
    """Change an offer's words, address and (not the default's) PDF: {} or messages by field."""
    pdf, errors = check_offer(data, upload, offer)
    if errors:
        return errors
    if offer.id is None:
        offer = offers.stored_default_offer()
    return save_offer(offer, data, pdf)


def set_retired(offer: Ebook, retired: bool) -> bool:
    """Take an offer down (its page answers 404, links already mailed still work) or put it back;
    False for the default offer, which /ebook always serves."""
    if offer.is_default:
        return False
    offer.retired_at = utcnow() if retired else None
    db.session.commit()
    return True
