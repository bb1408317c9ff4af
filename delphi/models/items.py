"""Statements or questions that participants rate, with every wording they have had."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, str_enum, utcnow


class ResponseType(enum.StrEnum):
    SCALE = "scale"
    SINGLE_CHOICE = "single_choice"
    CHOOSE_UP_TO_K = "choose_up_to_k"
    OPEN_TEXT = "open_text"


class ItemStatus(enum.StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    REMOVED = "removed"


class EvidenceStatus(enum.StrEnum):
    """What a check of the existing research found for an indicative question (JLA)."""

    ANSWERED = "answered"
    PARTLY_ANSWERED = "partly_answered"
    UNANSWERED = "unanswered"


class Item(db.Model):
    """One statement, outcome or question.

    ``version`` is SQLAlchemy's optimistic lock: two facilitators editing at once cannot
    silently overwrite each other.
    """

    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(200), default="")
    response_type: Mapped[ResponseType] = mapped_column(
        str_enum(ResponseType), default=ResponseType.SCALE
    )
    options: Mapped[list] = mapped_column(JSON, default=list)
    max_choices: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[ItemStatus] = mapped_column(str_enum(ItemStatus), default=ItemStatus.ACTIVE)
    version: Mapped[int] = mapped_column(default=1)
    evidence_status: Mapped[EvidenceStatus | None] = mapped_column(str_enum(EvidenceStatus))
    evidence_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    study: Mapped[Study] = relationship(back_populates="items")  # noqa: F821
    versions: Mapped[list[ItemVersion]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemVersion.number"
    )

    @property
    def current(self) -> ItemVersion:
        """The latest wording."""
        return self.versions[-1]


class ItemVersion(db.Model):
    """A wording an item has had, why it changed and who changed it."""

    __tablename__ = "item_version"
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    change_reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship(back_populates="versions")


class LinkKind(enum.StrEnum):
    MERGED_FROM = "merged_from"
    SPLIT_FROM = "split_from"
    FROM_SUGGESTION = "from_suggestion"


class ItemLink(db.Model):
    """Where an item came from: merged or split from another, or a participant's suggestion."""

    __tablename__ = "item_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LinkKind] = mapped_column(str_enum(LinkKind))
    source_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"))
    suggestion_id: Mapped[int | None] = mapped_column(
        ForeignKey("suggestion.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
