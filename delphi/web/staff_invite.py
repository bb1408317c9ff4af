"""Accepting an invitation to a study team: join as the signed-in user, or make an account."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from ..errors import ValidationError
from ..forms.team import JoinForm, NewAccountForm
from ..services import accounts, staff

bp = Blueprint("staff", __name__)

LINK_ERRORS = (staff.UnknownStaffLink, staff.UsedStaffLink, staff.ExpiredStaffLink)


def _link_error(error: Exception):
    """404 for an unknown link, 410 for a used or expired one."""
    status = 404 if isinstance(error, staff.UnknownStaffLink) else 410
    return render_template("facilitator/team/link_error.html", message=str(error)), status


@bp.route("/staff-invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Show the invitation; join (signed in) or create an account and join (signed out)."""
    try:
        invitation = staff.find_invitation(token)
    except LINK_ERRORS as error:
        return _link_error(error)
    signed_in = current_user.is_authenticated
    form = JoinForm() if signed_in else NewAccountForm()
    has_account = not signed_in and accounts.find_by_email(invitation.email) is not None
    page = {"invitation": invitation, "study": invitation.study, "form": form,
            "token": token, "has_account": has_account, "role_words": staff.ROLE_WORDS}
    if not form.validate_on_submit() or has_account:
        return render_template("facilitator/team/accept.html", **page), 400 if form.errors else 200
    try:
        if signed_in:
            staff.accept(token, current_user)
        else:
            login_user(staff.accept_with_new_account(token, form.name.data, form.password.data))
    except LINK_ERRORS as error:
        return _link_error(error)
    except ValidationError as error:
        flash(str(error), "error")
        return render_template("facilitator/team/accept.html", **page), 400
    flash(f"You have joined the team of “{invitation.study.title}”.", "success")
    return redirect(url_for("facilitator.show_study", study_id=invitation.study.id))
