"""Open registration links: create one to share, cap it, close and reopen it, and see how many
joined through it. Owners and facilitators change them; steering members read."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...errors import StateError, ValidationError
from ...forms.registration import CapForm, CloseLinkForm, NewOpenLinkForm, ReopenLinkForm
from ...services import invitations, registration, studies
from . import bp


def _can_change(study) -> bool:
    return studies.role_in(study, current_user) in studies.EDITOR_ROLES


def _to_link(study, link):
    return redirect(url_for("facilitator.show_open_link", study_id=study.id, link_id=link.id))


@bp.get("/studies/<int:study_id>/open-links")
@login_required
def list_open_links(study_id: int):
    """The study's open links, and how many joined through them or were invited."""
    study = studies.get_for_member(study_id, current_user)
    return render_template(
        "facilitator/open_links.html", study=study, links=registration.open_links(study),
        sources=registration.source_counts(study), can_change=_can_change(study),
        form=NewOpenLinkForm(), join_url=_join_url,
    )


def _join_url(link) -> str:
    return invitations.external_url("participant.join", slug=link.slug)


@bp.post("/studies/<int:study_id>/open-links")
@login_required
def create_open_link(study_id: int):
    """Create an open link; it takes people at once."""
    study = studies.get_for_editor(study_id, current_user)
    if not NewOpenLinkForm().validate_on_submit():
        flash("The page had expired, so no link was made. Try again.", "error")
        return redirect(url_for("facilitator.list_open_links", study_id=study.id))
    link = registration.create_open_link(study, current_user)
    flash("Open link created. Copy it and share it where you recruit.", "success")
    return _to_link(study, link)


def _show(study, link, cap_form=None, status=200):
    return render_template(
        "facilitator/open_links_show.html", study=study, entry=registration.summary(link),
        url=_join_url(link), can_change=_can_change(study),
        cap_form=cap_form or CapForm(cap=str(link.cap) if link.cap else ""),
        reopen_form=ReopenLinkForm(),
    ), status


@bp.get("/studies/<int:study_id>/open-links/<int:link_id>")
@login_required
def show_open_link(study_id: int, link_id: int):
    """One open link: its address to copy, who joined, its limit, closing it."""
    study = studies.get_for_member(study_id, current_user)
    return _show(study, registration.get_open_link(study, link_id))


@bp.post("/studies/<int:study_id>/open-links/<int:link_id>/cap")
@login_required
def set_open_link_cap(study_id: int, link_id: int):
    """Set or clear the most people who may join through the link."""
    study = studies.get_for_editor(study_id, current_user)
    link = registration.get_open_link(study, link_id)
    form = CapForm()
    if not form.validate_on_submit():
        return _show(study, link, form, 400)
    try:
        registration.set_cap(study, link, form.value(), current_user)
    except ValidationError as err:
        form.cap.errors = [*form.cap.errors, str(err)]
        return _show(study, link, form, 400)
    flash("Limit saved." if link.cap else "Limit removed: anyone may join.", "success")
    return _to_link(study, link)


@bp.route("/studies/<int:study_id>/open-links/<int:link_id>/close", methods=["GET", "POST"])
@login_required
def close_open_link(study_id: int, link_id: int):
    """Ask, then close the link to new people."""
    study = studies.get_for_editor(study_id, current_user)
    link = registration.get_open_link(study, link_id)
    form = CloseLinkForm()
    if form.validate_on_submit():
        try:
            registration.close_open_link(study, link, current_user)
        except StateError as err:
            flash(str(err), "error")
            return _to_link(study, link)
        flash("The link is closed. New people who use it are told so.", "success")
        return _to_link(study, link)
    return render_template(
        "facilitator/open_links_close.html", study=study, entry=registration.summary(link),
        url=_join_url(link), form=form,
    ), 400 if form.errors else 200


@bp.post("/studies/<int:study_id>/open-links/<int:link_id>/reopen")
@login_required
def reopen_open_link(study_id: int, link_id: int):
    """Let the link take people again, up to its limit."""
    study = studies.get_for_editor(study_id, current_user)
    link = registration.get_open_link(study, link_id)
    if ReopenLinkForm().validate_on_submit():
        try:
            registration.reopen_open_link(study, link, current_user)
        except StateError as err:
            flash(str(err), "error")
        else:
            flash("The link is open again.", "success")
    else:
        flash("The page had expired, so the link was not reopened. Try again.", "error")
    return _to_link(study, link)
