"""The final workshop of a priority-setting partnership (adapted nominal group technique).

A workshop is a round of kind ``workshop`` whose items are the shortlist. In each session
the room splits into small groups; each group ranks the whole shortlist and the session's
group ranks are summed (lowest total first). Sessions are kept once closed, for the record.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, str_enum, utcnow


class SessionState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class WorkshopSession(db.Model):
    """One small-group session of a workshop round (sessions regroup the room)."""

    __tablename__ = "workshop_session"
    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[SessionState] = mapped_column(str_enum(SessionState),
                                                default=SessionState.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    groups: Mapped[list[WorkshopGroup]] = relationship(
        back_populates="session", cascade="all, delete-orphan",
        order_by="WorkshopGroup.position",
    )


class WorkshopGroup(db.Model):
    """A small group of one session, and the private link its lead may enter ranks with.

    Only the SHA-256 hash of the lead's link is stored. ``composition`` says who sat in the
    group in words ("2 patients, 2 carers, 3 clinicians"), for the report.
    """

    __tablename__ = "workshop_group"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_session.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    composition: Mapped[str] = mapped_column(String(300), default="")
    lead_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    lead_link_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )

    session: Mapped[WorkshopSession] = relationship(back_populates="groups")
    ranks: Mapped[list[WorkshopRank]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="WorkshopRank.position",
    )


class WorkshopRank(db.Model):
    """A small group's place for one shortlisted item (1 = most important)."""

    __tablename__ = "workshop_rank"
    __table_args__ = (UniqueConstraint("group_id", "item_id"),
                      UniqueConstraint("group_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_group.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    position: Mapped[int]

    group: Mapped[WorkshopGroup] = relationship(back_populates="ranks")


class WorkshopDecision(db.Model):
    """The room's decision on the final order after a session: ``item_order`` lists item ids
    top first as agreed (ties at the top-10 boundary resolved), with the reason in words.
    Each decision is a new row; the latest is in force."""

    __tablename__ = "workshop_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_session.id", ondelete="CASCADE"), index=True
    )
    item_order: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
