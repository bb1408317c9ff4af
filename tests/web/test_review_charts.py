"""The review pages' charts: who may see them, valid PNG and SVG from the chart cache, refusals
for unknown charts and unfinished rounds, and each page's pictures with their tables."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import ChartCache
from delphi.services import chart_data

from ..services.test_review import build_review_study
from .team_setup import join_team, sign_in_as, team_users
from .test_review import Tables


@pytest.fixture
def built(db):
    users = team_users()
    built = build_review_study(owner=users["owner"])
    join_team(built.study, users)
    return built

PNG = b"\x89PNG\r\n\x1a\n"

CHARTS = [
    "consensus-map.png?round=1",
    "median-map.svg?round=2",
    "group-divergence.png?round=2",
    "participant-flow.svg?round=2",
    "rounds-side-by-side.png?item={item}",
    "by-group.svg?item={item}",
    "movement.png?from=1&to=2",
]


def _get(client, built, path):
    path = path.format(item=built.study.items[0].id)
    return client.get(f"/studies/{built.study.id}/review/charts/{path}")


@pytest.mark.parametrize("path", CHARTS)
@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("facilitator", 200),
                                              ("steering", 200), ("outsider", 403)])
def test_who_may_see_a_chart(client, auth, built, path, role, status):
    sign_in_as(auth, role)
    response = _get(client, built, path)
    assert response.status_code == status
    if status == 200:
        assert response.headers["Cache-Control"] == "private, max-age=3600"
        body = response.get_data()
        if ".png" in path:
            assert response.mimetype == "image/png" and body.startswith(PNG)
        else:
            assert response.mimetype == "image/svg+xml"
            assert ElementTree.fromstring(body).tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("path", CHARTS)
def test_seeing_a_chart_needs_sign_in(client, built, path):
    response = _get(client, built, path)
    assert response.status_code == 302
    assert urlparse(response.headers["Location"]).path == "/login"


@pytest.mark.parametrize("path", [
    "nonsense.png?round=1",
    "consensus-map.gif?round=1",
    "consensus-map.png",
    "consensus-map.png?round=9",
    "consensus-map.png?round=one",
    "rounds-side-by-side.png?item=999999",
    "by-group.png",
    "movement.png?from=1",
])
def test_unknown_charts_rounds_and_items_are_not_found(client, auth, built, path):
    sign_in_as(auth, "steering")
    assert _get(client, built, path).status_code == 404


def test_draft_and_open_rounds_are_refused(client, auth, built):
    sign_in_as(auth, "steering")
    response = _get(client, built, "consensus-map.png?round=3")
    assert response.status_code == 409
    assert "has not opened yet" in response.get_data(as_text=True)
    built.third.open()
    _db.session.commit()
    response = _get(client, built, "participant-flow.png?round=3")
    assert response.status_code == 409
    assert "still open" in response.get_data(as_text=True)


def test_comparing_rounds_the_wrong_way_round_is_refused(client, auth, built):
    sign_in_as(auth, "steering")
    assert _get(client, built, "movement.png?from=2&to=1").status_code == 400


def test_the_page_draws_and_the_picture_comes_from_the_cache(client, auth, built, monkeypatch):
    sign_in_as(auth, "steering")
    drawn = []
    for kind, draw in list(chart_data._DRAW.items()):
        monkeypatch.setitem(chart_data._DRAW, kind,
                            lambda inputs, kind=kind, draw=draw: drawn.append(kind) or draw(inputs))
    page = client.get(f"/studies/{built.study.id}/review/rounds/1")
    assert page.status_code == 200
    assert sorted(drawn) == sorted(["consensus-map", "group-divergence", "participant-flow"])
    rows = _db.session.scalar(select(func.count(ChartCache.key)))
    for path in ("consensus-map.png?round=1", "consensus-map.svg?round=1",
                 "group-divergence.png?round=1", "participant-flow.png?round=1"):
        assert _get(client, built, path).status_code == 200
    assert len(drawn) == 3
    assert _db.session.scalar(select(func.count(ChartCache.key))) == rows
    client.get(f"/studies/{built.study.id}/review/rounds/1")
    assert len(drawn) == 3


def _figures(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('class="delphi-chart__image" src="')[1:]]


def test_round_page_shows_its_charts_with_tables(client, auth, built):
    sign_in_as(auth, "steering")
    html = client.get(f"/studies/{built.study.id}/review/rounds/1").get_data(as_text=True)
    sources = _figures(html)
    assert [urlparse(src).path.rsplit("/", 1)[1] for src in sources] == [
        "consensus-map.png", "group-divergence.png", "participant-flow.png"]
    assert all("round=1" in src for src in sources)
    assert html.count("Show the numbers as a table") == 3
    assert "<figcaption" in html and 'alt="Round 1: agreement on each item.' in html
    numbers = [table for table in Tables(html).tables
               if table["caption"] == "The numbers behind the chart"]
    assert [row[3] for row in numbers[0]["rows"]] == [
        "Consensus in", "No consensus", "Consensus out", "No consensus", "No consensus"]
    for src in sources:
        assert client.get(src.replace("&amp;", "&")).status_code == 200


def test_item_page_shows_rounds_side_by_side_and_groups(client, auth, built):
    sign_in_as(auth, "steering")
    item = built.study.items[0].id
    html = client.get(f"/studies/{built.study.id}/review/items/{item}").get_data(as_text=True)
    sources = [urlparse(src).path.rsplit("/", 1)[1] for src in _figures(html)]
    assert sources == ["rounds-side-by-side.png", "by-group.png"]
    assert "By stakeholder group in round 1" in html
    numbers = [table for table in Tables(html).tables
               if table["caption"] == "The numbers behind the chart"]
    assert [row[0] for row in numbers[0]["rows"]] == ["Round 1", "Round 2"]
    assert {row[3] for row in numbers[1]["rows"]} == {"not shown"}


def test_compare_page_shows_movement(client, auth, built):
    sign_in_as(auth, "steering")
    html = client.get(f"/studies/{built.study.id}/review/compare?from=1&to=2").get_data(
        as_text=True)
    sources = _figures(html)
    assert len(sources) == 1 and "movement.png" in sources[0]
    assert "from=1" in sources[0] and "to=2" in sources[0]
    assert "How each item moved" in html
    bad = client.get(f"/studies/{built.study.id}/review/compare?from=2&to=1")
    assert bad.status_code == 400 and not _figures(bad.get_data(as_text=True))
