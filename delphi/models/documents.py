"""Participant documents (information, consent, messages, guidance), versioned, and the
consent each participant gave."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, str_enum, utcnow


class DocumentKind(enum.StrEnum):
    INFORMATION = "information"
    CONSENT = "consent"
    INVITATION = "invitation"
    REMINDER = "reminder"
    GUIDANCE = "guidance"


class Document(db.Model):
    """One of a study's participant-facing texts; its wording lives in versions."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("study_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind))

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan",
        order_by="DocumentVersion.number",
    )

    @property
    def current(self) -> DocumentVersion | None:
        """The latest version, or None before the first is written."""
        return self.versions[-1] if self.versions else None


class DocumentVersion(db.Model):
    """A wording of a document, kept as written (ethics-approved text is used word for word).

    ``statements`` holds a consent form's separate statements as a list of
    ``{"key": ..., "text": ..., "required": bool}``; other kinds leave it empty.
    """

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    label: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    statements: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()  # noqa: F821


class ConsentRecord(db.Model):
    """What one participant agreed to: the consent version and each statement's answer."""

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"))
    agreed: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document_version: Mapped[DocumentVersion] = relationship()
