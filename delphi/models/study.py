"""A study and its design: scales, dimensions, stakeholder groups and consensus rules."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, str_enum, utcnow


class StudyKind(enum.StrEnum):
    DELPHI = "delphi"
    PRIORITY_SETTING = "priority_setting"
    CHNRI = "chnri"


class StudyStatus(enum.StrEnum):
    SETUP = "setup"
    RUNNING = "running"
    FINISHED = "finished"
    ARCHIVED = "archived"


class WithdrawalPolicy(enum.StrEnum):
    """What happens to a withdrawing participant's answers."""

    KEEP = "keep"
    REMOVE = "remove"


class CarryForwardPolicy(enum.StrEnum):
    """Which items the next round re-rates."""

    NO_CONSENSUS = "no_consensus"
    ALL = "all"
    NONE = "none"


class Study(db.Model):
    """One Delphi, priority-setting or CHNRI exercise run by a study team."""

    __tablename__ = "study"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[StudyKind] = mapped_column(str_enum(StudyKind), default=StudyKind.DELPHI)
    status: Mapped[StudyStatus] = mapped_column(str_enum(StudyStatus), default=StudyStatus.SETUP)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    min_group_size: Mapped[int] = mapped_column(default=5)
    withdrawal_policy: Mapped[WithdrawalPolicy] = mapped_column(
        str_enum(WithdrawalPolicy), default=WithdrawalPolicy.KEEP
    )
    planned_rounds: Mapped[int] = mapped_column(default=3)
    carry_forward_policy: Mapped[CarryForwardPolicy] = mapped_column(
        str_enum(CarryForwardPolicy), default=CarryForwardPolicy.NO_CONSENSUS
    )
    retention_date: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(16), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    protocol_fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[StudyMembership]] = relationship(  # noqa: F821
        back_populates="study", cascade="all, delete-orphan"
    )
    scales: Mapped[list[RatingScale]] = relationship(
        back_populates="study", cascade="all, delete-orphan"
    )
    dimensions: Mapped[list[Dimension]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="Dimension.position"
    )
    groups: Mapped[list[StakeholderGroup]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="StakeholderGroup.position"
    )
    rules: Mapped[list[ConsensusRule]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="ConsensusRule.id"
    )
    deviations: Mapped[list[ProtocolDeviation]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="ProtocolDeviation.id"
    )
    items: Mapped[list[Item]] = relationship(  # noqa: F821
        back_populates="study", cascade="all, delete-orphan", order_by="Item.position"
    )
    rounds: Mapped[list[Round]] = relationship(  # noqa: F821
        back_populates="study", cascade="all, delete-orphan", order_by="Round.number"
    )
    participants: Mapped[list[Participant]] = relationship(  # noqa: F821
        back_populates="study", cascade="all, delete-orphan"
    )


class RatingScale(db.Model):
    """An ordinal scale; field names match :class:`delphi.engine.Scale`.

    ``labels`` maps each point (as a string, JSON keys) to its wording; ``bands`` maps a
    band name to an inclusive ``[low, high]`` pair, e.g. ``{"high": [7, 9]}``.
    """

    __tablename__ = "rating_scale"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    minimum: Mapped[int]
    maximum: Mapped[int]
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    bands: Mapped[dict] = mapped_column(JSON, default=dict)
    offers_unable: Mapped[bool] = mapped_column(default=True)

    study: Mapped[Study] = relationship(back_populates="scales")

    @property
    def points(self) -> list[int]:
        """Every point of the scale, lowest first."""
        return list(range(self.minimum, self.maximum + 1))

    def has_point(self, value: int) -> bool:
        """True when ``value`` is one of the scale's points."""
        return self.minimum <= value <= self.maximum


class Dimension(db.Model):
    """Something each item is rated on (importance, feasibility), with its scale."""

    __tablename__ = "dimension"
    __table_args__ = (UniqueConstraint("study_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    scale_id: Mapped[int] = mapped_column(ForeignKey("rating_scale.id"))

    study: Mapped[Study] = relationship(back_populates="dimensions")
    scale: Mapped[RatingScale] = relationship()


class StakeholderGroup(db.Model):
    """A kind of participant (patients and carers, nurses, doctors) with a recruitment target."""

    __tablename__ = "stakeholder_group"
    __table_args__ = (UniqueConstraint("study_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    target_number: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    study: Mapped[Study] = relationship(back_populates="groups")


class RuleRole(enum.StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


class ConsensusRule(db.Model):
    """A consensus definition stored as data (an engine rule's JSON form).

    ``fixed_at`` records pre-registration: once set the definition must not change.
    """

    __tablename__ = "consensus_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[RuleRole] = mapped_column(str_enum(RuleRole), default=RuleRole.PRIMARY)
    definition: Mapped[dict] = mapped_column(JSON)
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    study: Mapped[Study] = relationship(back_populates="rules")


class ProtocolDeviation(db.Model):
    """A change to the pre-registered protocol after round 1 opened, with its reason.

    ``what`` names the part changed (``rules``, ``planned_rounds``, ``carry_forward_policy``);
    ``before`` and ``after`` hold its values in JSON, so the report can show both.
    """

    __tablename__ = "protocol_deviation"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(String(50))
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    study: Mapped[Study] = relationship(back_populates="deviations")
    user: Mapped[User | None] = relationship()  # noqa: F821
