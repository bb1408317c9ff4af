"""Charts drawn once and kept in the database, shared by every app server.

A chart is stored under the SHA-256 of its kind, its input (as canonical JSON: keys sorted,
no spaces) and the chart style's version (:data:`delphi.charts.style.CHART_STYLE_VERSION`,
read on every call). The same input in the same style is never drawn twice; a changed round
has a different input, and a new chart style a different version, so either gets a new key
and stale pictures are simply never asked for again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from ..charts import style
from ..charts.figures import Chart, to_png, to_svg
from ..extensions import db
from ..models import ChartCache
from .transaction import unit_of_work


@dataclass(frozen=True)
class CachedChart:
    """A stored chart: its PNG and SVG bytes, alternative text and data table rows."""

    png: bytes
    svg: bytes
    alt_text: str
    table: tuple[tuple[str, ...], ...]


def chart_key(kind: str, inputs: Mapping[str, Any]) -> str:
    """The cache key of a chart: 64 hex digits of SHA-256 over kind, inputs and style version.

    ``inputs`` must be JSON-serialisable; numpy arrays and numbers are taken as the lists and
    numbers they hold, so callers may pass engine results as they are.

    Raises
    ------
    TypeError
        A value in ``inputs`` cannot be written as JSON.
    """
    text = json.dumps({"kind": kind, "inputs": inputs, "style": style.CHART_STYLE_VERSION},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def cached_chart(kind: str, inputs: Mapping[str, Any],
                 draw: Callable[[], Chart]) -> CachedChart:
    """The chart for ``inputs``: from the cache, or drawn with ``draw()`` and stored.

    ``draw`` is called only on a miss. Outside a caller's unit of work the lookup's read
    transaction is ended before drawing, so no transaction stays open while matplotlib
    works; the new row is stored in its own unit of work (a SAVEPOINT when nested in the
    caller's). When another server stores the same chart first, its row is read and
    returned: both are drawings of the same input in the same style.

    Raises
    ------
    ValueError
        ``kind`` is empty or longer than 40 characters.
    TypeError
        ``inputs`` is not JSON-serialisable.
    """
    if not kind or len(kind) > 40:
        raise ValueError(f"chart kind {kind!r} must be 1 to 40 characters")
    key = chart_key(kind, inputs)
    found = _stored(key)
    if found is not None:
        return found
    _end_reading()
    chart = draw()
    drawn = CachedChart(png=to_png(chart.figure), svg=to_svg(chart.figure),
                        alt_text=chart.alt_text,
                        table=tuple(tuple(row) for row in chart.table))
    return _store(key, kind, drawn)


# Built once: a hit is then one cached, compiled statement on the session's connection,
# without the ORM's per-query work (nothing here needs objects, only the stored columns).
_LOOKUP = (select(ChartCache.png, ChartCache.svg, ChartCache.alt_text, ChartCache.table_rows)
           .where(ChartCache.key == bindparam("key")))


def _stored(key: str) -> CachedChart | None:
    row = db.session.connection().execute(_LOOKUP, {"key": key}).first()
    if row is None:
        return None
    return CachedChart(png=row.png, svg=row.svg, alt_text=row.alt_text,
                       table=tuple(tuple(cells) for cells in row.table_rows))


@unit_of_work
def _end_reading() -> None:
    """Commit the (read-only) transaction of the lookup when not inside a unit of work."""


@unit_of_work
def _store(key: str, kind: str, drawn: CachedChart) -> CachedChart:
    row = ChartCache(key=key, kind=kind, png=drawn.png, svg=drawn.svg,
                     alt_text=drawn.alt_text, table_rows=[list(cells) for cells in drawn.table])
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # another server stored the same chart a moment ago
        stored = _stored(key)
        if stored is None:
            raise
        return stored
    return drawn


def _plain(value: Any) -> Any:
    """JSON for numpy values: arrays as lists, numpy numbers as Python numbers."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"chart input {value!r} ({type(value).__name__}) is not JSON-serialisable")
