"""How a round's participants answer: score each item, rank their top N, or tick N.

Owners and facilitators choose while the round is a draft; it is fixed when the round opens.
Steering-group members read it.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...errors import StateError, ValidationError
from ...forms.ranking import EXACT, RankingSettingsForm
from ...models import RoundState
from ...services import ranking, rounds, studies
from . import bp


def _page(study, round_, form=None, status=200):
    settings = ranking.ranking_settings(round_)
    can_change = (studies.role_in(study, current_user) in studies.EDITOR_ROLES
                  and round_.state == RoundState.DRAFT
                  and settings.kind in ranking.SETTABLE_KINDS)
    return render_template(
        "facilitator/ranking_settings.html", study=study, round=round_,
        form=form or RankingSettingsForm(formdata=None).fill(settings),
        can_change=can_change, description=ranking.describe_settings(settings),
        items=ranking.item_count(round_),
        kind_words=ranking.kind_words(settings.kind),
    ), status


@bp.get("/studies/<int:study_id>/rounds/<int:number>/answering")
@login_required
def show_ranking_settings(study_id: int, number: int):
    """How the round is answered: a form while it is a draft, a summary afterwards."""
    study = studies.get_for_member(study_id, current_user)
    return _page(study, rounds.get_round(study, number))


@bp.post("/studies/<int:study_id>/rounds/<int:number>/answering")
@login_required
def change_ranking_settings(study_id: int, number: int):
    """Save how the draft round's participants answer."""
    study = studies.get_for_editor(study_id, current_user)
    round_ = rounds.get_round(study, number)
    form = RankingSettingsForm()
    if not form.validate_on_submit():
        return _page(study, round_, form, 400)
    try:
        ranking.set_ranking_settings(round_, current_user, form.kind.data, form.size.data,
                                     form.exact.data == EXACT)
    except ValidationError as error:
        form.size.errors = [*form.size.errors, str(error)]
        return _page(study, round_, form, 400)
    except StateError as error:
        flash(str(error), "error")
        return _page(study, round_, form, 409)
    flash(f"How participants answer round {round_.number} was saved.", "success")
    return redirect(url_for("facilitator.show_round", study_id=study.id, number=round_.number))
