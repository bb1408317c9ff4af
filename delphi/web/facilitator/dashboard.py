"""The study's dashboard: recruitment, participation per round and group, the outbox, and
the consensus preview of one round.

Every team member may read it. The live preview of an open or closed round (results not
yet published) is for owners and facilitators only; steering members see a round's
consensus once its results are published, read from the published snapshot.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from ...errors import ValidationError
from ...services import participation, results, studies, worker
from . import bp


@bp.get("/studies/<int:study_id>/dashboard")
@login_required
def show_dashboard(study_id: int):
    """Participation per round and group, recruitment, outbox and one round's consensus."""
    study = studies.get_for_member(study_id, current_user)
    is_editor = studies.role_in(study, current_user) in studies.EDITOR_ROLES
    round_ = results.default_round(study, request.args.get("round", type=int))
    preview, problem = None, None
    if round_ is not None:
        try:
            preview = results.round_preview(round_, live=is_editor)
        except ValidationError as error:
            problem = str(error)
    return render_template(
        "facilitator/dashboard/show.html", study=study, is_editor=is_editor,
        participation=participation.participation_summary(study),
        recruitment=studies.group_recruitment(study), progress=worker.progress(study),
        round=round_, preview=preview, problem=problem,
    )
