"""Uploaded import files, kept under the instance folder between the preview and the import.

A file is stored under the SHA-256 of its bytes: the "Import" button names that digest, and the
import reads the very bytes the preview read (checked again before use). Files left behind by
a preview nobody confirmed are deleted a day later, at the next upload.
"""

import hashlib
import re
import time
from pathlib import Path
from typing import BinaryIO

UPLOAD_FOLDER = "imports"
DIGEST = re.compile(r"[0-9a-f]{64}")
KEEP_SECONDS = 24 * 3600
CHUNK_BYTES = 64 * 1024


def upload_folder(instance_path: str) -> Path:
    """Where uploads wait for their import (created on first use)."""
    folder = Path(instance_path) / UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(stream: BinaryIO, instance_path: str) -> str:
    """Store the upload under its SHA-256 and return the digest; older unconfirmed uploads are removed."""
    folder = upload_folder(instance_path)
    forget_old_uploads(folder)
    digest = hashlib.sha256()
    partial = folder / f"upload-{time.time_ns()}.part"
    with partial.open("wb") as file:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            file.write(chunk)
    name = digest.hexdigest()
    partial.replace(folder / f"{name}.csv")
    return name


def upload_path(instance_path: str, digest: str) -> Path | None:
    """The stored file with this digest, if it is there and still has exactly those bytes; else None."""
    if not DIGEST.fullmatch(digest or ""):
        return None
    path = upload_folder(instance_path) / f"{digest}.csv"
    if not path.is_file():
        return None
    hashed = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            hashed.update(chunk)
    return path if hashed.hexdigest() == digest else None


def forget_upload(instance_path: str, digest: str) -> None:
    """Delete a stored upload (after its import, or when it could not be read)."""
    if DIGEST.fullmatch(digest or ""):
        (upload_folder(instance_path) / f"{digest}.csv").unlink(missing_ok=True)


def forget_old_uploads(folder: Path) -> None:
    """Delete uploads older than a day: previews nobody confirmed."""
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
