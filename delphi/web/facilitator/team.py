"""The study team: members, pending invitations, and inviting or revoking (owners only)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...errors import NotFound, ValidationError
from ...forms.team import RevokeForm, StaffInviteForm
from ...models import Role
from ...services import mailer, staff, studies
from . import bp

OWNER_ONLY = (Role.OWNER,)


def _team_page(study, form, status=200):
    role = studies.role_in(study, current_user)
    return render_template(
        "facilitator/team/show.html", study=study, form=form, revoke_form=RevokeForm(),
        members=staff.members(study), invitations=staff.pending_invitations(study),
        is_owner=role == Role.OWNER, smtp=mailer.is_configured(),
    ), status


@bp.get("/studies/<int:study_id>/team")
@login_required
def show_team(study_id: int):
    """Who is on the team and in which role, and invitations not yet accepted."""
    study = studies.get_for_member(study_id, current_user)
    return _team_page(study, StaffInviteForm())


@bp.post("/studies/<int:study_id>/team/invitations")
@login_required
def invite_staff(study_id: int):
    """Invite a co-facilitator or steering member; without SMTP the link is shown once."""
    study = studies.get_for_member(study_id, current_user, roles=OWNER_ONLY)
    form = StaffInviteForm()
    if not form.validate_on_submit():
        return _team_page(study, form, 400)
    try:
        result = staff.invite(study, form.email.data, form.role.data, current_user)
    except ValidationError as error:
        form.email.errors.append(str(error))
        return _team_page(study, form, 400)
    if result.emailed:
        flash(f"Invitation e-mailed to {result.invitation.email}.", "success")
        return redirect(url_for("facilitator.show_team", study_id=study.id))
    return render_template("facilitator/team/link.html", study=study, result=result,
                           role_words=staff.ROLE_WORDS)


@bp.post("/studies/<int:study_id>/team/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_staff_invitation(study_id: int, invitation_id: int):
    """Withdraw a pending invitation; its link stops working."""
    study = studies.get_for_member(study_id, current_user, roles=OWNER_ONLY)
    if not RevokeForm().validate_on_submit():
        flash("The form had expired. Try again.", "error")
        return redirect(url_for("facilitator.show_team", study_id=study.id))
    try:
        invitation = staff.revoke(study, invitation_id, current_user)
    except NotFound as error:
        flash(str(error), "error")
    else:
        flash(f"The invitation to {invitation.email} was revoked; its link no longer works.",
              "success")
    return redirect(url_for("facilitator.show_team", study_id=study.id))
