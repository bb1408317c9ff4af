"""The steering group's review pages: a round's results table, its rule sensitivity and
attrition-bias check, one item across rounds, and two rounds compared.

Every team member may read them (steering members are the audience; facilitators and owners
see the same). They change nothing. Draft and open rounds are refused with a page saying
why: their figures change with every answer, and facilitators follow them on the dashboard.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from ...errors import RoundStateError, ValidationError
from ...services import items, review, rounds, studies
from . import bp, review_charts

REVIEW = "/studies/<int:study_id>/review"


def _unavailable(study, error: RoundStateError):
    """The page refusing a round that has not closed, with the reason (409 Conflict)."""
    is_editor = studies.role_in(study, current_user) in studies.EDITOR_ROLES
    return render_template("facilitator/review/unavailable.html", study=study,
                           message=str(error), is_editor=is_editor), 409


@bp.get(REVIEW)
@login_required
def show_review(study_id: int):
    """The rounds, with a link to each review page of those that have closed."""
    study = studies.get_for_member(study_id, current_user)
    return render_template("facilitator/review/index.html", study=study,
                           rounds=rounds.rounds_of(study),
                           reviewable=review.reviewable_rounds(study))


@bp.get(REVIEW + "/rounds/<int:number>")
@login_required
def show_review_round(study_id: int, number: int):
    """One round's results table; ?sort=&dir= sorts it, ?status=&domain=&group= filter it."""
    study = studies.get_for_member(study_id, current_user)
    try:
        table = review.results_table(
            study, number, sort=request.args.get("sort", "number"),
            direction=request.args.get("dir", "asc"),
            status=request.args.get("status") or None, domain=request.args.get("domain") or None,
            group_id=request.args.get("group", type=int))
    except RoundStateError as error:
        return _unavailable(study, error)
    filters = {name: value for name, value in (
        ("status", table.status), ("domain", table.domain),
        ("group", table.group[0] if table.group else None)) if value is not None}
    return render_template("facilitator/review/round.html", study=study, table=table,
                           round=table.reviewed.round, filters=filters,
                           charts=review_charts.round_charts(study, table.reviewed))


@bp.get(REVIEW + "/rounds/<int:number>/rules")
@login_required
def show_rule_sensitivity(study_id: int, number: int):
    """The round under every pre-registered rule, and the items whose status differs."""
    study = studies.get_for_member(study_id, current_user)
    try:
        sensitivity = review.rule_sensitivity(study, number)
    except RoundStateError as error:
        return _unavailable(study, error)
    return render_template("facilitator/review/rules.html", study=study,
                           sensitivity=sensitivity, round=sensitivity.reviewed.round)


@bp.get(REVIEW + "/rounds/<int:number>/attrition")
@login_required
def show_attrition(study_id: int, number: int):
    """Round 1's ratings of those who completed this round against those who did not."""
    study = studies.get_for_member(study_id, current_user)
    try:
        check = review.attrition_check(study, number)
    except RoundStateError as error:
        return _unavailable(study, error)
    return render_template("facilitator/review/attrition.html", study=study, check=check,
                           round=check.reviewed.round, flag_p=review.FLAG_P)


@bp.get(REVIEW + "/items/<int:item_id>")
@login_required
def show_review_item(study_id: int, item_id: int):
    """One item: its wording history, results, approved comments and decisions per round."""
    study = studies.get_for_member(study_id, current_user)
    page = review.item_review(study, items.get_item(study, item_id))
    return render_template("facilitator/review/item.html", study=study, page=page,
                           charts=review_charts.item_charts(study, page))


@bp.get(REVIEW + "/compare")
@login_required
def compare_rounds(study_id: int):
    """Two closed rounds item by item: ?from=1&to=2 (the two latest by default)."""
    study = studies.get_for_member(study_id, current_user)
    chosen = review.default_comparison(study)
    first = request.args.get("from", type=int) or (chosen[0] if chosen else None)
    second = request.args.get("to", type=int) or (chosen[1] if chosen else None)
    comparison, problem = None, None
    if first is not None and second is not None:
        try:
            comparison = review.compare_rounds(study, first, second)
        except (RoundStateError, ValidationError) as error:
            problem = str(error)
    return render_template("facilitator/review/compare.html", study=study,
                           comparison=comparison, problem=problem, first=first, second=second,
                           charts=review_charts.comparison_charts(study, comparison),
                           choices=review.reviewable_rounds(study)), 400 if problem else 200
