"""The chart cache: drawn once per input and style, shared through the database, race-safe."""

import threading

import numpy as np
import pytest
from sqlalchemy import func, insert, select

from delphi.charts import DistributionPanel, item_distribution, style
from delphi.models import ChartCache
from delphi.services import chart_cache
from delphi.services.chart_cache import CachedChart, cached_chart, chart_key
from delphi.services.transaction import unit_of_work

POINTS = tuple(range(1, 10))
INPUTS = {"item": 12, "counts": [1, 0, 2, 3, 4, 6, 8, 12, 6], "points": list(POINTS)}


class Drawer:
    """A draw callable that counts its calls."""

    def __init__(self, counts=INPUTS["counts"]):
        self.calls = 0
        self.counts = counts

    def __call__(self):
        self.calls += 1
        return item_distribution([DistributionPanel("Everyone", self.counts)], POINTS)


def stored_rows(db):
    return db.session.scalar(select(func.count(ChartCache.id)))


def test_a_miss_draws_once_and_stores_the_chart(db):
    draw = Drawer()
    chart = cached_chart("item-distribution", INPUTS, draw)
    assert draw.calls == 1
    assert isinstance(chart, CachedChart)
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in chart.svg
    assert chart.alt_text.startswith("Bar chart of how 42 people scored this")
    assert chart.table[0] == ("Score", "Everyone")
    [row] = db.session.scalars(select(ChartCache)).all()
    assert (row.key, row.kind) == (chart_key("item-distribution", INPUTS), "item-distribution")
    assert (row.png, row.svg, row.alt_text) == (chart.png, chart.svg, chart.alt_text)
    assert len(row.key) == 64


def test_a_hit_never_draws_and_gives_the_same_chart(db):
    first = cached_chart("item-distribution", INPUTS, Drawer())
    draw = Drawer()
    again = cached_chart("item-distribution", dict(reversed(INPUTS.items())), draw)
    assert draw.calls == 0
    assert again == first
    assert isinstance(again.png, bytes) and isinstance(again.svg, bytes)
    assert stored_rows(db) == 1


def test_a_changed_input_is_drawn_and_stored_under_a_new_key(db):
    cached_chart("item-distribution", INPUTS, Drawer())
    changed = {**INPUTS, "counts": [0, 0, 2, 3, 4, 6, 8, 12, 7]}
    draw = Drawer(changed["counts"])
    cached_chart("item-distribution", changed, draw)
    assert draw.calls == 1
    assert chart_key("item-distribution", changed) != chart_key("item-distribution", INPUTS)
    assert stored_rows(db) == 2


def test_the_same_input_of_another_kind_is_another_chart(db):
    assert chart_key("item-distribution", INPUTS) != chart_key("by-group", INPUTS)


def test_a_new_chart_style_version_draws_again(db, monkeypatch):
    cached_chart("item-distribution", INPUTS, Drawer())
    old_key = chart_key("item-distribution", INPUTS)
    monkeypatch.setattr(style, "CHART_STYLE_VERSION", style.CHART_STYLE_VERSION + 1)
    draw = Drawer()
    cached_chart("item-distribution", INPUTS, draw)
    assert draw.calls == 1
    assert chart_key("item-distribution", INPUTS) != old_key
    assert stored_rows(db) == 2


def test_keys_are_canonical_json_and_accept_numpy():
    as_numpy = {"points": np.arange(1, 10), "counts": np.array(INPUTS["counts"]),
                "item": np.int64(12)}
    assert chart_key("item-distribution", as_numpy) == chart_key("item-distribution", INPUTS)
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        chart_key("item-distribution", {"when": object()})


@pytest.mark.parametrize("kind", ["", "x" * 41])
def test_kind_must_fit_its_column(db, kind):
    with pytest.raises(ValueError, match="must be 1 to 40 characters"):
        cached_chart(kind, INPUTS, Drawer())


def other_servers_row(key, alt_text="Drawn by the other server."):
    return {"key": key, "kind": "item-distribution", "png": b"\x89PNG other", "svg": b"<svg/>",
            "alt_text": alt_text, "table_rows": [["Score", "Everyone"]]}


def test_a_row_stored_by_another_server_while_drawing_is_read_back(db):
    key = chart_key("item-distribution", INPUTS)

    def draw_while_another_server_stores():
        db.session.execute(insert(ChartCache).values(other_servers_row(key)))
        return Drawer()()

    chart = cached_chart("item-distribution", INPUTS, draw_while_another_server_stores)
    assert chart.alt_text == "Drawn by the other server."
    assert chart.table == (("Score", "Everyone"),)
    assert stored_rows(db) == 1


def test_losing_the_race_keeps_the_callers_own_work(db):
    key = chart_key("item-distribution", INPUTS)
    mine = {**other_servers_row("a" * 64), "alt_text": "Stored by the caller."}

    @unit_of_work
    def publish_and_cache():
        db.session.execute(insert(ChartCache).values(mine))

        def draw():
            db.session.execute(insert(ChartCache).values(other_servers_row(key)))
            return Drawer()()

        return cached_chart("item-distribution", INPUTS, draw)

    chart = publish_and_cache()
    assert chart.alt_text == "Drawn by the other server."
    assert set(db.session.scalars(select(ChartCache.alt_text))) == {
        "Stored by the caller.", "Drawn by the other server."}


def test_two_servers_drawing_at_once_keep_one_copy(app, live_db):
    """Another connection commits the same chart between this one's lookup and its insert."""
    key = chart_key("item-distribution", INPUTS)

    def draw_while_another_server_stores():
        def store():
            with app.app_context(), live_db.engine.begin() as connection:
                connection.execute(insert(ChartCache).values(other_servers_row(key)))
        other = threading.Thread(target=store)
        other.start()
        other.join(timeout=30)
        return Drawer()()

    chart = cached_chart("item-distribution", INPUTS, draw_while_another_server_stores)
    assert chart.alt_text == "Drawn by the other server."
    live_db.session.expire_all()
    assert stored_rows(live_db) == 1
    again = Drawer()
    assert cached_chart("item-distribution", INPUTS, again).alt_text == chart.alt_text
    assert again.calls == 0


def test_the_service_reads_the_style_version_on_every_call(monkeypatch):
    before = chart_cache.chart_key("rounds", {"item": 1})
    monkeypatch.setattr(style, "CHART_STYLE_VERSION", style.CHART_STYLE_VERSION + 1)
    assert chart_cache.chart_key("rounds", {"item": 1}) != before
