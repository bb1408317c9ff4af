"""Jinja filters that write values the way people read them: UK dates, enum values as words."""

from __future__ import annotations

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

#: The time zone pages show times in.
LONDON = ZoneInfo("Europe/London")

#: Values whose words are not just the value with spaces: acronyms, and the one state
#: name that reads badly ("pending" review is "to review" everywhere on screen).
WORDS = {"chnri": "CHNRI", "pending": "To review"}


def init_app(app: Flask) -> None:
    """Register the filters ``date``, ``datetime``, ``label`` and ``scale_radio_items``."""
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(label, "label")
    app.add_template_filter(scale_radio_items, "scale_radio_items")


def format_date(value: date | None) -> str:
    """``4 March 2025``; an empty string for None."""
    return f"{value.day} {value:%B %Y}" if value else ""


def format_datetime(value: datetime | None, local: bool = True) -> str:
    """``29 March 2026, 10:00 BST``: stored UTC times are shown in Europe/London time,
    named GMT or BST.

    With ``local=False`` the time is shown in UTC and the page says so:
    ``4 March 2025, 14:05 UTC``.
    """
    if not value:
        return ""
    if local:
        shown = value.astimezone(LONDON)
        return f"{format_date(shown)}, {shown:%H:%M} {shown.tzname()}"
    return f"{format_date(value)}, {value:%H:%M} UTC"


def label(value: enum.Enum | str) -> str:
    """``priority_setting`` -> ``Priority setting``; the exceptions in WORDS (``CHNRI``)."""
    text = value.value if isinstance(value, enum.Enum) else str(value)
    return WORDS.get(text, text.replace("_", " ").capitalize())


def scale_radio_items(question) -> list[dict]:
    """The ``items`` of a GOV.UK radios component for a scale question: one per point, its
    label as the hint, then "Unable to score" after an "or" divider when the scale offers it.

    ``question`` is a :class:`delphi.services.documents.ItemQuestion`.
    """
    items = [{"value": str(point.value), "text": str(point.value),
              "hint": {"text": point.label} if point.label else None}
             for point in question.points]
    if question.offers_unable:
        items += [{"divider": "or"}, {"value": "unable", "text": "Unable to score"}]
    return items
