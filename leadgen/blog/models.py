"""Post and Comment, and the markers of used comment forms and stopped reply notifications."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db

# pending: waits for staff; approved: public; spam and trash: hidden, kept for review.
COMMENT_STATUSES = ("pending", "approved", "spam", "trash")


class Post(db.Model):
    """An article of the clinic's blog, written in Markdown."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    comments: Mapped[list["Comment"]] = relationship(back_populates="post", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.slug}>"


class Comment(db.Model):
    """A reader's reply under an article; the email is never published."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_post_status", "post_id", "status"),
        Index("ix_comments_status_created_at", "status", "created_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"), index=True)
    # 0 for a reply to the article, 1 for a reply to that, ... up to COMMENT_MAX_DEPTH - 1.
    depth: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))
    # None once the person is erased (anonymise_comments).
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    website: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # Why the spam rules chose the status ("disallowed word", "3 links"), shown to staff.
    moderation_note: Mapped[str] = mapped_column(String(200), default="")
    # Mail to the commenter about this comment (approved, replies): only with this opt-in.
    notify: Mapped[bool] = mapped_column(default=False)
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    # Set when staff were told about the comment (one mail, or a digest).
    staff_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    post: Mapped[Post] = relationship(back_populates="comments")
    parent: Mapped["Comment | None"] = relationship(remote_side="Comment.id")

    def __repr__(self) -> str:
        return f"<Comment {self.id} post={self.post_id} {self.status}>"


class UsedFormToken(db.Model):
    """A "Leave a reply" form token already sent once: the same form cannot post twice.

    Keyed by a SHA-256 of the token (the token itself is never stored); a row is purged
    once the token would be refused as too old anyway.
    """

    __tablename__ = "used_comment_form_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    def __repr__(self) -> str:
        return f"<UsedFormToken {self.token_sha256[:8]} until {self.expires_at:%Y-%m-%d %H:%M}>"


class ReplyNotificationStop(db.Model):
    """An address that pressed "stop these emails": no more reply notifications to it, ever.

    Only a SHA-256 of the normalised address is kept, so the stop outlives an erasure
    without keeping the address.
    """

    __tablename__ = "comment_reply_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    stopped_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ReplyNotificationStop {self.email_sha256[:8]} at {self.stopped_at:%Y-%m-%d}>"
