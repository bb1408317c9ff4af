"""Ranking rounds: choose (and, in a ranking round, order) the top N questions, check, send.

Works without JavaScript: each question has a position box (ranking) or a tick box (choose
N). ``static/js/ranking.js`` adds a "Your top N" list with buttons that fill in the same
boxes, so the same form is sent either way. See :mod:`delphi.services.ranking`.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ...errors import StateError
from ...services import answering
from ...services import ranking as service
from . import bp
from .answering import answering_page


def _page(participant, round_, values, result=None, status=200):
    items = answering.items_of(round_)
    return render_template(
        "participant/ranking.html", study=participant.study, round=round_,
        domains=service.domains(items), total=len(items), size=service.size_for(round_, items),
        ordered=round_.kind.value == "ranking", values=values,
        errors=result.errors if result else {}, summary=result.summary if result else [],
    ), status


@bp.route("/take-part/ranking", methods=["GET", "POST"])
@answering_page
def ranking(participant, round_):
    """Every question of the round, to choose the top N (in order, for a ranking round)."""
    if round_.kind not in service.RANKED_KINDS:
        return redirect(url_for("participant.home"), 303)
    if request.method == "GET":
        values = service.form_values(round_, service.saved_choices(participant, round_))
        return _page(participant, round_, values)
    try:
        result = service.save_choices(participant, round_, request.form)
    except answering.UnknownInput as refused:
        result = service.CheckResult({"form": str(refused)}, [(str(refused), "choices")])
        return _page(participant, round_, service.typed_values(round_, request.form), result, 400)
    except StateError:  # the round closed while the page was being sent
        return render_template("participant/closed.html", study=participant.study,
                               round=round_), 409
    if result.errors:
        return _page(participant, round_, service.typed_values(round_, request.form), result, 400)
    return redirect(url_for("participant.check_ranking"), 303)


@bp.route("/take-part/ranking/check", methods=["GET", "POST"])
@answering_page
def check_ranking(participant, round_):
    """The chosen questions in order; sending them completes the round."""
    if round_.kind not in service.RANKED_KINDS:
        return redirect(url_for("participant.home"), 303)
    choices = service.saved_choices(participant, round_)
    if request.method == "POST":
        try:
            service.send_choices(participant, round_)
        except StateError:
            return redirect(url_for("participant.ranking"), 303)
        return redirect(url_for("participant.thank_you"), 303)
    if not choices:
        return redirect(url_for("participant.ranking"), 303)
    return render_template("participant/ranking_check.html", study=participant.study,
                           round=round_, choices=choices,
                           ordered=round_.kind.value == "ranking")
