"""A ranking round's results for the study team and the steering group, and the shortlist.

``GET /studies/<id>/rounds/<n>/ranking-results`` shows the combined list under the chosen
method (``?method=jla|union|weighted&k=``), per group and combined, Kendall's W, the methods
compared, the proposed cut with any ties at it, the charts and the shortlist decisions;
``POST`` to the same address records a decision (owners, facilitators and steering members:
the shortlist is the steering group's decision). The charts are served as PNG from the chart
cache at ``/studies/<id>/rounds/<n>/ranking-results/<chart>.png``. Only closed or published
ranking rounds have results; any other round gets a page saying why (409).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...charts import group_orders, ranked_priorities
from ...errors import RoundStateError, ValidationError
from ...forms.ranking_results import MethodForm, ShortlistForm
from ...services import ranking_results as rr
from ...services import rounds, studies, workshop
from ...services.chart_cache import CachedChart, cached_chart
from . import bp

PAGE = "/studies/<int:study_id>/rounds/<int:number>/ranking-results"
CHARTS = ("ranked-priorities", "group-orders")
CACHE_CONTROL = "private, max-age=3600"
SCORE_NAMES = {"jla": "JLA score", "union": "JLA score", "weighted": "Points per person"}


def _unavailable(study, round_, error):
    return render_template("facilitator/ranking/unavailable.html", study=study, round=round_,
                           message=str(error)), 409


def _method_form(args=None) -> tuple[MethodForm, bool]:
    """The method form from the address (its defaults without one) and whether it is valid."""
    if not args:
        return MethodForm(formdata=None), True
    form = MethodForm(args)
    return form, form.validate()


def _method(form: MethodForm, valid: bool) -> tuple[str, int | None]:
    """The chosen method and k; JLA when the choice is not valid."""
    return (form.method.data, form.k.data) if valid else ("jla", None)


def _size(round_, results: rr.RankingResults) -> int:
    """The shortlist size in force: the latest decision's, else this list's proposal."""
    decided = rr.current_shortlist(round_)
    return decided.size if decided is not None else rr.propose_cut(results.scores_in_order)


def _chart(kind: str, results: rr.RankingResults, size: int) -> CachedChart | None:
    """The page's chart ``kind`` for ``results`` (None for group orders with one group)."""
    labels = [row.number for row in results.rows]
    groups = results.group_names
    inputs = {"round": results.round_id, "method": results.method, "k": results.k,
              "labels": labels, "size": size, "groups": list(groups)}
    if kind == "ranked-priorities":
        scores = [row.score for row in results.rows]
        by_group = {name: [row.by_group[name][1] for row in results.rows] for name in groups}
        return cached_chart(kind, {**inputs, "scores": scores, "by_group": by_group},
                            lambda: ranked_priorities(labels, scores, min(size, len(labels)),
                                                      by_group=by_group or None,
                                                      score_label=SCORE_NAMES[results.method]))
    if not 2 <= len(groups) <= 8:
        return None
    positions = {name: [row.by_group[name][2] for row in results.rows] for name in groups}
    return cached_chart(kind, {**inputs, "positions": positions},
                        lambda: group_orders(labels, positions))


def _page(study, round_, method_form, valid=True, shortlist_form=None, status=200):
    method, k = _method(method_form, valid)
    try:
        results = rr.ranking_results(round_, method, k)
    except ValidationError as error:
        return render_template("facilitator/ranking/results.html", study=study, round=round_,
                               empty=str(error), method_form=method_form,
                               shortlist_form=None), status
    decided = rr.current_shortlist(round_)
    size = _size(round_, results)
    proposal = rr.cut_proposal(results, size)
    if shortlist_form is None:
        shortlist_form = ShortlistForm(
            method=decided.method if decided else "jla", size=size)
    shortlisted = rr.shortlisted_items(round_)
    if shortlisted is None:
        shortlisted = tuple(row.item_id for row in results.rows[:size])
    charts = [(kind, _chart(kind, results, size)) for kind in CHARTS]
    return render_template(
        "facilitator/ranking/results.html", study=study, round=round_, results=results,
        method_form=method_form, shortlist_form=shortlist_form, proposal=proposal,
        decided=decided, comparison=rr.compare_methods(round_, results.k),
        history=rr.shortlist_history(round_), charts=[c for c in charts if c[1] is not None],
        method_names=rr.METHOD_NAMES, score_name=SCORE_NAMES[results.method],
        by_id={row.item_id: row for row in results.rows}, shortlisted=shortlisted,
        workshop_round=workshop.workshop_round(study),
        can_set_up_workshop=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
    ), status


@bp.get(PAGE)
@login_required
def show_ranking_results(study_id: int, number: int):
    """The round's ranking results under the chosen method, and the shortlist."""
    study = studies.get_for_member(study_id, current_user)
    round_ = rounds.get_round(study, number)
    try:
        rr.check_finished(round_)
    except RoundStateError as error:
        return _unavailable(study, round_, error)
    form, valid = _method_form(request.args)
    return _page(study, round_, form, valid, status=200 if valid else 400)


@bp.post(PAGE)
@login_required
def decide_shortlist(study_id: int, number: int):
    """Record the shortlist: the proposal confirmed, or another size with a reason."""
    study = studies.get_for_member(study_id, current_user)
    round_ = rounds.get_round(study, number)
    try:
        rr.check_finished(round_)
    except RoundStateError as error:
        return _unavailable(study, round_, error)
    form = ShortlistForm()
    if not form.validate_on_submit():
        return _page(study, round_, *_method_form(), shortlist_form=form, status=400)
    try:
        decided = rr.decide_shortlist(round_, current_user, form.size.data, form.reason.data,
                                      form.method.data)
    except ValidationError as error:
        target = form.reason if "reason" in str(error) else form.size
        target.errors = [*target.errors, str(error)]
        return _page(study, round_, *_method_form(), shortlist_form=form, status=400)
    flash(f"The shortlist of {decided.size} items is recorded.", "success")
    return redirect(url_for("facilitator.show_ranking_results", study_id=study.id,
                            number=round_.number))


@bp.get(PAGE + "/<any(" + ", ".join(f'"{kind}"' for kind in CHARTS) + "):chart>.png")
@login_required
def show_ranking_chart(study_id: int, number: int, chart: str):
    """One of the page's charts as PNG (``?method=&k=`` as on the page)."""
    study = studies.get_for_member(study_id, current_user)
    round_ = rounds.get_round(study, number)
    try:
        rr.check_finished(round_)
        results = rr.ranking_results(round_, *_method(*_method_form(request.args)))
    except (RoundStateError, ValidationError) as error:
        return _unavailable(study, round_, error)
    drawn = _chart(chart, results, _size(round_, results))
    if drawn is None:
        return _unavailable(study, round_, "The groups' orders need at least two groups.")
    response = Response(drawn.png, mimetype="image/png")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
