"""Staff accounts (facilitators and steering-group members) and their study roles."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .types import UTCDateTime, str_enum, utcnow


class User(UserMixin, db.Model):
    """A member of a study team who signs in with an e-mail address and password."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_version: Mapped[int] = mapped_column(default=1)
    second_factor_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[StudyMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        """Store a scrypt hash of ``password`` and end every other session."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def is_locked(self, now: datetime) -> bool:
        """True while a lockout after too many failed sign-ins is in force."""
        return self.locked_until is not None and self.locked_until > now

    def get_id(self) -> str:
        """Session identity: the id plus the session version, so bumping it signs out."""
        return f"{self.id}:{self.session_version}"


class Role(enum.StrEnum):
    """What a staff member may do in one study."""

    OWNER = "owner"
    FACILITATOR = "facilitator"
    STEERING = "steering"


class StudyMembership(db.Model):
    """A user's role in one study."""

    __tablename__ = "study_membership"
    __table_args__ = (UniqueConstraint("user_id", "study_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    can_see_contacts: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    study: Mapped[Study] = relationship(back_populates="memberships")  # noqa: F821
