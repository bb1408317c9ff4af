"""The review pages' charts: the pictures, and what each page shows beside them.

``GET /studies/<id>/review/charts/<kind>.png`` (or ``.svg``) serves one chart of
:data:`delphi.services.chart_data.KINDS`, for ``?round=`` (round charts), ``?item=`` (item
charts) or ``?from=&to=`` (movement). Who may see it is who may read the review pages; a
draft or open round is refused with the same page. Charts come from the database's chart
cache, so a browser's request for the picture after the page never draws it again.

The ``*_charts`` functions give a page its charts as :class:`PageChart` entries (address,
alternative text, data table, heading and caption) for ``facilitator/review/_chart.html``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Response, render_template, request, url_for
from flask_login import current_user, login_required

from ...errors import RoundStateError
from ...services import chart_data, studies
from ...services.chart_cache import CachedChart
from ...services.review import ItemReview, ReviewedRound, RoundComparison
from . import bp

REVIEW = "/studies/<int:study_id>/review"
CACHE_CONTROL = "private, max-age=3600"
MIMETYPES = {"png": "image/png", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class PageChart:
    """One chart as a page shows it: a heading, the picture's address and its text."""

    heading: str
    url: str
    alt_text: str
    table: tuple[tuple[str, ...], ...]
    caption: str


@bp.get(REVIEW + "/charts/<kind>.<any(png, svg):fmt>")
@login_required
def show_review_chart(study_id: int, kind: str, fmt: str):
    """One review chart as PNG or SVG, cached by the browser for an hour."""
    study = studies.get_for_member(study_id, current_user)
    try:
        chart = chart_data.review_chart(
            study, kind, round_number=request.args.get("round", type=int),
            item_id=request.args.get("item", type=int),
            from_number=request.args.get("from", type=int),
            to_number=request.args.get("to", type=int))
    except RoundStateError as error:  # the review pages' refusal, with the reason
        is_editor = studies.role_in(study, current_user) in studies.EDITOR_ROLES
        return render_template("facilitator/review/unavailable.html", study=study,
                               message=str(error), is_editor=is_editor), 409
    response = Response(chart.png if fmt == "png" else chart.svg, mimetype=MIMETYPES[fmt])
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _shown(heading: str, chart: CachedChart | None, caption: str, kind: str, inline: bool,
           **arguments) -> list[PageChart]:
    """The chart as a page shows it: its address on this server, or with ``inline`` the
    picture itself as a ``data:`` address (for the report downloaded to open offline)."""
    if chart is None:
        return []
    if inline:
        url = data_address(chart.png)
    else:
        url = url_for("facilitator.show_review_chart", kind=kind, fmt="png", **arguments)
    return [PageChart(heading, url, chart.alt_text, chart.table, caption)]


def data_address(png: bytes) -> str:
    """A PNG as a ``data:`` address, so a page saved as one file still shows it."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def round_charts(study, reviewed: ReviewedRound, inline: bool = False) -> list[PageChart]:
    """The round page's charts: the map its rule calls for, group divergence, and flow;
    ``inline`` puts the pictures themselves in the page (see :func:`_shown`)."""
    arguments = {"study_id": study.id, "round": reviewed.round.number, "inline": inline}
    kind = chart_data.map_kind(reviewed)
    if kind == chart_data.MEDIAN_MAP:
        map_chart = chart_data.median_map_chart(study, reviewed)
        map_caption = ("Each item is a point placed by its median score (across) and how "
                       "widely the scores spread (up); its shape and colour show its status.")
    else:
        map_chart = chart_data.consensus_map_chart(study, reviewed)
        map_caption = ("Each item is a point placed by the share scoring it in the top band "
                       "(across) and in the bottom band (up); shaded areas are where the "
                       "consensus rule is met, and its shape and colour show its status.")
    return [
        *_shown("Agreement on each item", map_chart, map_caption, kind, **arguments),
        *_shown("Where the stakeholder groups differ", chart_data.group_divergence_chart(
            study, reviewed),
            "The items on which the groups' shares in the top band are furthest apart, most "
            f"different first. Groups with fewer than {study.min_group_size} people rating "
            "an item are not shown.", chart_data.GROUP_DIVERGENCE, **arguments),
        *_shown("Taking part", chart_data.participant_flow_chart(study, reviewed.round),
                "How many people were invited to, started and completed each round so far. "
                f"A group is listed on its own only when at least {study.min_group_size} of "
                "its members were invited to every round.",
                chart_data.PARTICIPANT_FLOW, **arguments),
    ]


def item_charts(study, page: ItemReview) -> list[PageChart]:
    """The item page's charts: the item round by round, and by group in its latest
    published round."""
    reviewed_rounds: Sequence[ReviewedRound] = [
        entry.reviewed for entry in page.rounds
        if entry.reviewed.summary is not None and entry.reviewed.index_of(page.item.id) is not None]
    arguments = {"study_id": study.id, "item": page.item.id, "inline": False}
    latest = chart_data.latest_published(reviewed_rounds)
    charts = _shown("Round by round",
                    chart_data.rounds_side_by_side_chart(study, reviewed_rounds, page.item.id),
                    "The share of people scoring this item in each band, one bar per round; "
                    "dashed lines mark the consensus rule's thresholds.",
                    chart_data.ROUNDS_SIDE_BY_SIDE, **arguments)
    if latest is not None:
        charts += _shown(
            f"By stakeholder group in round {latest.round.number}",
            chart_data.by_group_chart(study, latest, page.item.id),
            f"How everyone, then each stakeholder group, scored this item in round "
            f"{latest.round.number}, the latest published round. Groups with fewer than "
            f"{study.min_group_size} people rating it are named but not shown.",
            chart_data.BY_GROUP, **arguments)
    return charts


def comparison_charts(study, comparison: RoundComparison | None) -> list[PageChart]:
    """The comparison page's chart: each item's movement between the two rounds."""
    if comparison is None:
        return []
    a, b = comparison.first.round.number, comparison.second.round.number
    return _shown("How each item moved", chart_data.movement_chart(
        study, comparison.first, comparison.second),
        f"Each item rated in both rounds: an open circle at round {a}, a filled diamond at "
        f"round {b}, biggest rise at the top. Items are numbered as in round {b}'s results.",
        chart_data.MOVEMENT, inline=False, **{"study_id": study.id, "from": a, "to": b})
