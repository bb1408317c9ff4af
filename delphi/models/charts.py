"""Drawn charts kept in the database, so every app server shares them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class ChartCache(db.Model):
    """One drawn chart, stored under the SHA-256 of its kind, input and chart style version.

    A row is written once and never changed: the same input drawn in the same style gives
    the same picture, so a changed round or a new style simply gets a new key. The unique
    key lets two servers that draw the same chart at once keep one copy.
    """

    __tablename__ = "chart_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    png: Mapped[bytes] = mapped_column(LargeBinary)
    svg: Mapped[bytes] = mapped_column(LargeBinary)
    alt_text: Mapped[str] = mapped_column(Text)
    table_rows: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
