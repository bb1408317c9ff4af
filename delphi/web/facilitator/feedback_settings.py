"""What a round's participants see about the round before: the feedback settings page.

Owners and facilitators choose while the round is a draft; the choice is fixed when the
round opens. Steering-group members read it.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...errors import StateError, ValidationError
from ...forms.feedback import FeedbackSettingsForm
from ...models import RoundState
from ...services import feedback, rounds, studies
from . import bp


def _page(study, round_, form=None, status=200):
    settings = feedback.feedback_settings(round_)
    can_change = (studies.role_in(study, current_user) in studies.EDITOR_ROLES
                  and round_.state == RoundState.DRAFT)
    return render_template(
        "facilitator/feedback_settings/edit.html", study=study, round=round_,
        form=form or FeedbackSettingsForm(formdata=None).fill(settings),
        can_change=can_change, description=feedback.describe_feedback(settings),
    ), status


@bp.get("/studies/<int:study_id>/rounds/<int:number>/feedback")
@login_required
def show_feedback_settings(study_id: int, number: int):
    """The round's feedback settings: a form while it is a draft, a summary afterwards."""
    study = studies.get_for_member(study_id, current_user)
    return _page(study, rounds.get_round(study, number))


@bp.post("/studies/<int:study_id>/rounds/<int:number>/feedback")
@login_required
def change_feedback_settings(study_id: int, number: int):
    """Save what the draft round's participants will see about the round before."""
    study = studies.get_for_editor(study_id, current_user)
    round_ = rounds.get_round(study, number)
    form = FeedbackSettingsForm()
    if not form.validate_on_submit():
        return _page(study, round_, form, 400)
    try:
        feedback.set_feedback_settings(
            round_, current_user, distribution=form.distribution.data,
            percentage_sentence=form.percentage_sentence.data,
            show_status=form.show_status.data, show_comments=form.show_comments.data,
        )
    except (StateError, ValidationError) as error:
        flash(str(error), "error")
        return _page(study, round_, form, 409)
    flash(f"Round {round_.number}'s feedback settings were saved.", "success")
    return redirect(url_for("facilitator.show_round", study_id=study.id, number=round_.number))
