"""Downloads of the study's data (results, answers, codebook, comments, suggestions, item
histories, audit log) for every member of the study's team.

The files and who may have which are decided in :mod:`delphi.services.exports`; these
handlers list them and send the one asked for as an attachment.
"""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_login import current_user, login_required

from ...errors import NotFound
from ...services import exports, studies
from . import bp


@bp.get("/studies/<int:study_id>/exports")
@login_required
def list_exports(study_id: int):
    """Every export the user may download, with a link per format (and per round)."""
    study = studies.get_for_member(study_id, current_user)
    return render_template("facilitator/exports.html", study=study,
                           downloads=exports.downloads(study, current_user))


@bp.get("/studies/<int:study_id>/exports/<name>.<fmt>")
@login_required
def download_export(study_id: int, name: str, fmt: str):
    """One export as a file to download; ``?round=N`` chooses the round."""
    study = studies.get_for_member(study_id, current_user)
    asked = request.args.get("round", "").strip()
    if asked and not asked.isdigit():
        raise NotFound(f"“{study.title}” has no round {asked}.")
    file = exports.export(study, name, fmt, int(asked) if asked else None, by=current_user)
    response = make_response(file.data)
    response.headers["Content-Type"] = file.content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
