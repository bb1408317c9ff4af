"""The study's audit log: who did what, when, to what; filtered, paged, exported as CSV.

Owners and facilitators only: the log names team members and participants' pseudonyms
alongside actions such as showing contact details, which steering members have no need of.
"""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_login import current_user, login_required

from ...services import audit, studies
from . import bp

PER_PAGE = 50


@bp.get("/studies/<int:study_id>/audit")
@login_required
def list_audit_events(study_id: int):
    """A page of the audit log, newest first, optionally one kind of action."""
    study = studies.get_for_editor(study_id, current_user)
    action = request.args.get("action", "").strip() or None
    page = audit.events_page(study, action, request.args.get("page", 1, type=int), PER_PAGE)
    return render_template("facilitator/audit/list.html", study=study, page=page,
                           action=action, actions=audit.actions_in(study))


@bp.get("/studies/<int:study_id>/audit/export.csv")
@login_required
def export_audit_events(study_id: int):
    """The audit log (optionally one kind of action) as a CSV file to download."""
    study = studies.get_for_editor(study_id, current_user)
    action = request.args.get("action", "").strip() or None
    # The byte order mark makes Excel read the file as UTF-8.
    response = make_response("\ufeff" + audit.events_csv(study, action))
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="study-{study.id}-audit-log.csv"')
    return response
