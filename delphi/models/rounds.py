"""Rounds, the items shown in each, and who took part; a round's life is a state machine."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import RoundStateError
from ..extensions import db
from .types import UTCDateTime, str_enum, utcnow


class RoundKind(enum.StrEnum):
    RATING = "rating"
    RANKING = "ranking"
    CHOOSE_N = "choose_n"
    OPEN_QUESTIONS = "open_questions"
    CHNRI = "chnri"
    WORKSHOP = "workshop"


class RoundState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Round(db.Model):
    """One round of a study: draft → open → closed → published.

    A closed round may be reopened once, with a reason; every other move raises
    :class:`delphi.errors.RoundStateError`.
    """

    __tablename__ = "round"
    __table_args__ = (UniqueConstraint("study_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    kind: Mapped[RoundKind] = mapped_column(str_enum(RoundKind), default=RoundKind.RATING)
    state: Mapped[RoundState] = mapped_column(str_enum(RoundState), default=RoundState.DRAFT)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[dict] = mapped_column(JSON, default=dict)
    shows_no_comments: Mapped[bool] = mapped_column(default=False)
    ranking_size: Mapped[int | None]
    ranking_exact: Mapped[bool] = mapped_column(default=False, server_default="0")

    study: Mapped[Study] = relationship(back_populates="rounds")  # noqa: F821
    round_items: Mapped[list[RoundItem]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundItem.position"
    )
    participations: Mapped[list[RoundParticipation]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("state", RoundState.DRAFT)
        super().__init__(**kwargs)

    def _move(self, allowed_from: RoundState, to: RoundState) -> None:
        if self.state != allowed_from:
            raise RoundStateError(
                f"Round {self.number} is {self.state.value}; it cannot be made {to.value} "
                f"(only a {allowed_from.value} round can)."
            )
        self.state = to

    def open(self, now: datetime | None = None) -> None:
        """Start taking answers."""
        self._move(RoundState.DRAFT, RoundState.OPEN)
        self.opened_at = now or utcnow()

    def close(self, now: datetime | None = None) -> None:
        """Stop taking answers."""
        if self.state == RoundState.CLOSED:
            raise RoundStateError(f"Round {self.number} is already closed.")
        self._move(RoundState.OPEN, RoundState.CLOSED)
        self.closed_at = now or utcnow()

    def publish(self, now: datetime | None = None) -> None:
        """Fix the results so participants and the steering group can see them."""
        self._move(RoundState.CLOSED, RoundState.PUBLISHED)
        self.published_at = now or utcnow()

    def reopen(self, reason: str, now: datetime | None = None) -> None:
        """Take answers again after closing, once only, for a stated reason."""
        if not reason or not reason.strip():
            raise RoundStateError(
                "Give a reason for reopening the round; it is kept in the record."
            )
        if self.reopened_at is not None:
            raise RoundStateError(f"Round {self.number} has been reopened once already.")
        self._move(RoundState.CLOSED, RoundState.OPEN)
        self.reopened_at = now or utcnow()
        self.reopen_reason = reason.strip()

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN


class ItemDecision(enum.StrEnum):
    """What happened to an item after a round closed, and who decided."""

    CARRIED_BY_RULE = "carried_by_rule"
    RETIRED_BY_RULE = "retired_by_rule"
    KEPT_FOR_CONFIRMATION = "kept_for_confirmation"
    CARRIED_BY_FACILITATOR = "carried_by_facilitator"
    RETIRED_BY_FACILITATOR = "retired_by_facilitator"


class RoundItem(db.Model):
    """An item as shown in one round: the exact wording (item version) participants saw.

    After the round closes, ``status`` holds its classification under the primary rule and
    ``decision`` / ``decision_reason`` what happened to it next (for the report).
    """

    __tablename__ = "round_item"
    __table_args__ = (UniqueConstraint("round_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    item_version_id: Mapped[int] = mapped_column(ForeignKey("item_version.id"))
    position: Mapped[int] = mapped_column(default=0)
    is_carried_forward: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str | None] = mapped_column(String(32))
    decision: Mapped[ItemDecision | None] = mapped_column(str_enum(ItemDecision))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    round: Mapped[Round] = relationship(back_populates="round_items")
    item: Mapped[Item] = relationship()  # noqa: F821
    item_version: Mapped[ItemVersion] = relationship()  # noqa: F821


class RoundParticipation(db.Model):
    """A participant's progress through one round."""

    __tablename__ = "round_participation"
    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship(back_populates="participations")
    participant: Mapped[Participant] = relationship()  # noqa: F821


class ScheduledReminder(db.Model):
    """A reminder to send at a set time to everyone who has not completed the round."""

    __tablename__ = "scheduled_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
