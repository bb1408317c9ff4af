"""Pages for the study team: their studies and each study's groups and rounds."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from ...services import studies
from . import bp


@bp.get("/")
def index():
    """The home page is the list of studies."""
    return redirect(url_for("facilitator.list_studies"))


@bp.get("/studies")
@login_required
def list_studies():
    """The studies the signed-in user is on the team of."""
    return render_template("facilitator/studies.html", studies=studies.studies_for(current_user))


@bp.get("/studies/<int:study_id>")
@login_required
def show_study(study_id: int):
    """One study: its details, stakeholder groups against their targets, and its rounds."""
    study = studies.get_for_member(study_id, current_user)
    return render_template(
        "facilitator/study.html",
        study=study,
        role=studies.role_in(study, current_user),
        groups=studies.group_recruitment(study),
    )
