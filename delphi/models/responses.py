"""What participants enter: answers, rankings, comments and suggestions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, str_enum, utcnow


class AnswerSource(enum.StrEnum):
    ONLINE = "online"
    ASSISTED = "assisted"
    IMPORTED = "imported"


class Answer(db.Model):
    """One value a participant gave for one item, dimension and option.

    ``option_key`` is 0 for scale and single-choice answers (the chosen option is the
    value); a choose-up-to-k answer has one row per ticked option. The key has no NULLs, so
    both databases enforce one answer per cell.
    """

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint(
            "participant_id", "round_item_id", "item_version_id", "dimension_id", "option_key"
        ),
        Index("ix_answer_results", "round_item_id", "dimension_id", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    round_item_id: Mapped[int] = mapped_column(ForeignKey("round_item.id", ondelete="CASCADE"))
    item_version_id: Mapped[int] = mapped_column(ForeignKey("item_version.id"))
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id", ondelete="CASCADE"))
    option_key: Mapped[int] = mapped_column(default=0)
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    is_unable: Mapped[bool] = mapped_column(default=False)
    change_reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[AnswerSource] = mapped_column(
        str_enum(AnswerSource), default=AnswerSource.ONLINE
    )
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship()  # noqa: F821
    round_item: Mapped[RoundItem] = relationship()  # noqa: F821
    item_version: Mapped[ItemVersion] = relationship()  # noqa: F821
    dimension: Mapped[Dimension] = relationship()  # noqa: F821


class Ranking(db.Model):
    """A participant's rank position for one item in a ranking round (1 = most important)."""

    __tablename__ = "ranking"
    __table_args__ = (
        UniqueConstraint("participant_id", "round_id", "item_id"),
        UniqueConstraint("participant_id", "round_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    position: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ModerationState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"


class Comment(db.Model):
    """A participant's comment on an item; ``shown_text`` is what others may read."""

    __tablename__ = "comment"
    __table_args__ = (UniqueConstraint("participant_id", "round_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    round_item_id: Mapped[int] = mapped_column(
        ForeignKey("round_item.id", ondelete="CASCADE"), index=True
    )
    original_text: Mapped[str] = mapped_column(Text)
    shown_text: Mapped[str] = mapped_column(Text, default="")
    moderation_state: Mapped[ModerationState] = mapped_column(
        str_enum(ModerationState), default=ModerationState.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship()  # noqa: F821
    round_item: Mapped[RoundItem] = relationship()  # noqa: F821


class Suggestion(db.Model):
    """A new item a participant proposes; facilitators may merge it into the item list.

    ``merged_into_id`` groups duplicates before any item exists: it points at the group's
    lead suggestion (a lead points nowhere), and an item made from the lead links to all.

    For a priority-setting partnership's uncertainty intake, ``out_of_scope_reason`` marks a
    submission outside the partnership's scope, and ``respondent_type`` and ``organisation``
    say who sent it: submissions from one organisation count as one respondent.
    """

    __tablename__ = "suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("suggestion.id", ondelete="SET NULL"), index=True
    )
    original_text: Mapped[str] = mapped_column(Text)
    shown_text: Mapped[str] = mapped_column(Text, default="")
    moderation_state: Mapped[ModerationState] = mapped_column(
        str_enum(ModerationState), default=ModerationState.PENDING
    )
    out_of_scope_reason: Mapped[str | None] = mapped_column(Text)
    respondent_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    organisation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship()  # noqa: F821
    round: Mapped[Round] = relationship()  # noqa: F821
