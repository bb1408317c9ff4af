"""Priority setting: the shortlist taken from a ranking round, and CHNRI criteria, questions
and answers."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, str_enum, utcnow


class Shortlist(db.Model):
    """Where a ranking round's list is cut for the final workshop, and who decided.

    ``proposed_size`` is the app's proposal (the largest drop in score between positions 25
    and 30); ``size`` is what the steering group confirmed, with ``reason`` when it differs.
    Each decision is a new row; the latest is in force, earlier ones stay for the record.
    """

    __tablename__ = "shortlist"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(32))
    proposed_size: Mapped[int]
    size: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChnriCriterion(db.Model):
    """One CHNRI criterion of a study (answerability, effectiveness, …) and its weight.

    ``weight`` defaults to 1 (all criteria equal); a stakeholder weight is entered with its
    ``weight_source``.
    """

    __tablename__ = "chnri_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    weight: Mapped[float] = mapped_column(default=1.0)
    weight_source: Mapped[str] = mapped_column(Text, default="")

    questions: Mapped[list[ChnriQuestion]] = relationship(
        back_populates="criterion", cascade="all, delete-orphan",
        order_by="ChnriQuestion.position",
    )


class ChnriQuestion(db.Model):
    """A question asked of every research option under one criterion."""

    __tablename__ = "chnri_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("chnri_criterion.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    criterion: Mapped[ChnriCriterion] = relationship(back_populates="questions")


class ChnriAnswerValue(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNDECIDED = "undecided"
    DONT_KNOW = "dont_know"


class ChnriAnswer(db.Model):
    """A scorer's answer to one CHNRI question about one research option (a round item)."""

    __tablename__ = "chnri_answer"
    __table_args__ = (UniqueConstraint("participant_id", "round_item_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    round_item_id: Mapped[int] = mapped_column(
        ForeignKey("round_item.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("chnri_question.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[ChnriAnswerValue] = mapped_column(str_enum(ChnriAnswerValue))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
