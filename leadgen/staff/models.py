"""StaffUser and ApiToken."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import NEVER_REUSE_IDS, UTCDateTime, utcnow
from ..extensions import db

# admin: everything, including erasing leads and managing staff; marketing: everything else.
ROLES = ("admin", "marketing")


class StaffUser(UserMixin, db.Model):
    """A member of the clinic's staff who signs in to the console or uses the API."""

    __tablename__ = "staff_users"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="marketing")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Kept in each session and checked on every request: raising it (sign-out, a new password,
    # switching the account off or on) ends every session made before, for good.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="staff_user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Flask-Login's id in the session: the account and its session version."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<StaffUser {self.id} {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the staff API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    staff_user: Mapped[StaffUser] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} staff={self.staff_user_id} revoked={self.revoked_at is not None}>"
