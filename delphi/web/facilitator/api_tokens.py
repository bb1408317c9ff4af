"""API tokens for a study: make one (shown once), list them, revoke one after confirming.

Any member of the team may make tokens for themselves; owners also see and may revoke
everyone's tokens for the study.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...errors import StateError, ValidationError
from ...forms.api_tokens import ApiTokenForm, RevokeApiTokenForm
from ...models import Role
from ...services import api_tokens, studies
from . import bp


def _list_page(study, form, status=200):
    return render_template(
        "facilitator/api_tokens.html", study=study, form=form,
        tokens=api_tokens.visible_tokens(study, current_user),
        is_owner=studies.role_in(study, current_user) == Role.OWNER,
        is_active=api_tokens.is_active,
    ), status


@bp.get("/studies/<int:study_id>/api-tokens")
@login_required
def list_api_tokens(study_id: int):
    """Your tokens for this study (everyone's for an owner), and a form to make one."""
    study = studies.get_for_member(study_id, current_user)
    return _list_page(study, ApiTokenForm())


@bp.post("/studies/<int:study_id>/api-tokens")
@login_required
def create_api_token(study_id: int):
    """Make a token for the signed-in user; the page shows it this once."""
    study = studies.get_for_member(study_id, current_user)
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _list_page(study, form, 400)
    try:
        new = api_tokens.create_token(study, current_user, form.name.data, form.days.data)
    except ValidationError as error:
        form.name.errors.append(str(error))
        return _list_page(study, form, 400)
    return render_template("facilitator/api_tokens_created.html", study=study, new=new)


@bp.get("/studies/<int:study_id>/api-tokens/<int:token_id>/revoke")
@login_required
def confirm_revoke_api_token(study_id: int, token_id: int):
    """Ask before revoking: programs using the token stop working at once."""
    study = studies.get_for_member(study_id, current_user)
    token = api_tokens.get_token(study, token_id, current_user)
    return render_template("facilitator/api_tokens_revoke.html", study=study, token=token,
                           form=RevokeApiTokenForm())


@bp.post("/studies/<int:study_id>/api-tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(study_id: int, token_id: int):
    """Revoke the token; it stops working at once and stays listed as revoked."""
    study = studies.get_for_member(study_id, current_user)
    token = api_tokens.get_token(study, token_id, current_user)
    if not RevokeApiTokenForm().validate_on_submit():
        flash("The form had expired. Try again.", "error")
        return redirect(url_for("facilitator.confirm_revoke_api_token", study_id=study.id,
                                token_id=token.id))
    try:
        api_tokens.revoke_token(token, current_user)
    except StateError as error:
        flash(str(error), "error")
    else:
        flash(f"The token “{token.name}” was revoked; it no longer works.", "success")
    return redirect(url_for("facilitator.list_api_tokens", study_id=study.id))
