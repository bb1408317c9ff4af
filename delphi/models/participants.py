"""Participants (pseudonymous), their contact details (kept apart) and invitations."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, str_enum, utcnow


class ParticipantStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class ParticipantSource(enum.StrEnum):
    """How a participant joined: invited by the team, or registered through an open link."""

    INVITED = "invited"
    SELF_REGISTERED = "self_registered"


class Participant(db.Model):
    """A panel member known to the study only by a random pseudonym.

    The e-mail address lives in :class:`ParticipantContact` so it can be deleted while the
    pseudonymous answers stay.
    """

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("study_id", "pseudonym"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(200), default="")
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_group.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[ParticipantStatus] = mapped_column(
        str_enum(ParticipantStatus), default=ParticipantStatus.INVITED
    )
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str | None] = mapped_column(String(32))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_test: Mapped[bool] = mapped_column(default=False)
    reminders_stopped: Mapped[bool] = mapped_column(default=False)
    source: Mapped[ParticipantSource] = mapped_column(
        str_enum(ParticipantSource), default=ParticipantSource.INVITED,
        server_default=ParticipantSource.INVITED.value,
    )
    open_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("open_link.id", ondelete="SET NULL"), index=True
    )
    guidance_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    study: Mapped[Study] = relationship(back_populates="participants")  # noqa: F821
    group: Mapped[StakeholderGroup | None] = relationship()  # noqa: F821
    contact: Mapped[ParticipantContact | None] = relationship(
        back_populates="participant", cascade="all, delete-orphan", uselist=False
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="participant", cascade="all, delete-orphan"
    )


class ParticipantContact(db.Model):
    """A participant's e-mail address, in its own table so it can be erased on its own."""

    __tablename__ = "participant_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str] = mapped_column(String(254))

    participant: Mapped[Participant] = relationship(back_populates="contact")


class Invitation(db.Model):
    """A private link: only the SHA-256 hash of its token is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship(back_populates="invitations")


class OpenLink(db.Model):
    """A public registration link a study shares through charities and social media.

    The slug is public by design (it is printed on posters), so it is stored as it is and
    shown to the team again. ``cap`` limits how many may register; a closed link accepts
    nobody.
    """

    __tablename__ = "open_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    is_open: Mapped[bool] = mapped_column(default=True)
    cap: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    study: Mapped[Study] = relationship()  # noqa: F821


class RegistrationAttempt(db.Model):
    """One use of an open link or of "e-mail me my link again", for per-address rate limits.

    ``address_hash`` is a keyed hash of the client's network address, so the table holds
    no address; ``purpose`` separates registrations from link requests.
    """

    __tablename__ = "registration_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    address_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
