"""Jinja filters that write values the way people read them: UK dates, enum values as words."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask import Flask

ACRONYMS = {"chnri": "CHNRI"}


def init_app(app: Flask) -> None:
    """Register the filters ``date``, ``datetime`` and ``label``."""
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(label, "label")


def format_date(value: date | None) -> str:
    """``4 March 2025``; an empty string for None."""
    return f"{value.day} {value:%B %Y}" if value else ""


def format_datetime(value: datetime | None) -> str:
    """``4 March 2025, 14:05 UTC``: stored times are UTC and the page says so."""
    return f"{format_date(value)}, {value:%H:%M} UTC" if value else ""


def label(value: enum.Enum | str) -> str:
    """``priority_setting`` -> ``Priority setting``; acronyms stay capitals (``CHNRI``)."""
    text = value.value if isinstance(value, enum.Enum) else str(value)
    return ACRONYMS.get(text, text.replace("_", " ").capitalize())
