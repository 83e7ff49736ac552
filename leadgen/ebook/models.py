"""Ebook offers (the clinic's lead magnets) and how often each is asked for."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class Ebook(db.Model):
    """One ebook offer: its page at /ebook/<slug>, its words and its PDF.

    The default offer (`is_default`) is the one at /ebook: its PDF is the EBOOK_PATH setting,
    so `file_name` stays empty. Every other offer's PDF is `file_name` in EBOOKS_DIR. An offer
    is never deleted, only retired: links already mailed keep downloading it.
    """

    __tablename__ = "ebooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_default: Mapped[bool] = mapped_column(default=False)
    # A name we made (slug and random letters), never the uploader's: it goes into a path.
    file_name: Mapped[str | None] = mapped_column(String(120))
    file_size: Mapped[int | None]
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def retired(self) -> bool:
        """True once staff took the offer down."""
        return self.retired_at is not None

    def __repr__(self) -> str:
        return f"<Ebook {self.id} {self.slug}{' default' if self.is_default else ''}>"


class EbookRequestCount(db.Model):
    """How many requests each offer had in each UTC hour: the dashboard adds up at most 720
    rows an offer for 30 days instead of reading a million activities."""

    __tablename__ = "ebook_request_counts"

    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    ebook_id: Mapped[int] = mapped_column(ForeignKey("ebooks.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<EbookRequestCount {self.ebook_id} {self.hour:%Y-%m-%d %H}h {self.count}>"
