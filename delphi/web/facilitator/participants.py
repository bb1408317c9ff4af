"""The panel: participants by pseudonym, adding and importing them, test participants,
showing contact details (audited), withdrawal, and who in the team may see contacts."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...errors import StateError, ValidationError
from ...forms.participants import (
    ConfirmForm,
    ContactAccessForm,
    ImportConfirmForm,
    ImportUploadForm,
    ParticipantForm,
    TestParticipantForm,
    WithdrawForm,
)
from ...models import Role
from ...services import participant_import, participants, participation, studies
from . import bp


def _with_groups(form, study):
    form.group.choices = [(str(group.id), group.name) for group in study.groups]
    return form


def _to_list(study):
    return redirect(url_for("facilitator.list_participants", study_id=study.id))


def _to_participant(study, participant):
    return redirect(url_for("facilitator.show_participant", study_id=study.id,
                            participant_id=participant.id))


@bp.get("/studies/<int:study_id>/participants")
@login_required
def list_participants(study_id: int):
    """The panel by pseudonym, group and status, with counts per stakeholder group."""
    study = studies.get_for_member(study_id, current_user)
    return render_template(
        "facilitator/participants/list.html", study=study,
        participants=participants.list_participants(study),
        counts=participants.group_counts(study),
        participation=participation.participation_summary(study),
        can_change=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
    )


def _add_one(study_id: int, form_class, template: str, action: Callable, message: str):
    """Show the add form; on a valid post run ``action(study, form)``, flash and go to the list.

    ``message`` is flashed after, with ``{pseudonym}`` standing for the new participant's.
    """
    study = studies.get_for_editor(study_id, current_user)
    form = _with_groups(form_class(), study)
    if form.validate_on_submit():
        try:
            participant = action(study, form)
        except ValidationError as err:
            flash(str(err), "error")
            return render_template(template, study=study, form=form), 400
        flash(message.format(pseudonym=participant.pseudonym), "success")
        return _to_list(study)
    return render_template(template, study=study, form=form), 400 if form.errors else 200


@bp.route("/studies/<int:study_id>/participants/new", methods=["GET", "POST"])
@login_required
def add_participant(study_id: int):
    """Add one participant: e-mail address, stakeholder group, optional reference."""
    return _add_one(
        study_id, ParticipantForm, "facilitator/participants/new.html",
        lambda study, form: participants.add_participant(
            study, current_user, form.email.data, form.group.data, form.reference.data),
        "Participant {pseudonym} added.",
    )


@bp.route("/studies/<int:study_id>/participants/new-test", methods=["GET", "POST"])
@login_required
def add_test_participant(study_id: int):
    """Add a test participant, to pilot rounds; their answers never count."""
    return _add_one(
        study_id, TestParticipantForm, "facilitator/participants/new_test.html",
        lambda study, form: participants.add_test_participant(
            study, current_user, form.group.data, form.email.data or ""),
        "Test participant {pseudonym} added.",
    )


@bp.route("/studies/<int:study_id>/participants/import", methods=["GET", "POST"])
@login_required
def import_participants(study_id: int):
    """Upload a CSV file and see, row by row, what importing it would do."""
    study = studies.get_for_editor(study_id, current_user)
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return render_template("facilitator/participants/import.html", study=study,
                               form=form), 400 if form.errors else 200
    data = form.file.data.read()
    preview = participant_import.preview_import(study, data)
    confirm = ImportConfirmForm(prefix="confirm", content=base64.b64encode(data).decode("ascii"))
    return render_template(
        "facilitator/participants/import_preview.html", study=study, preview=preview,
        form=ImportUploadForm(formdata=None), confirm=confirm,
    ), 200 if preview.is_clean else 400


@bp.post("/studies/<int:study_id>/participants/import/confirm")
@login_required
def confirm_participant_import(study_id: int):
    """Create every participant of a checked file at once, or nothing."""
    study = studies.get_for_editor(study_id, current_user)
    confirm = ImportConfirmForm(prefix="confirm")
    try:
        if not confirm.validate_on_submit():
            raise ValidationError("The checked file did not come back. Upload it again.")
        data = base64.b64decode(confirm.content.data, validate=True)
        created = participant_import.import_participants(study, current_user, data)
    except (ValidationError, binascii.Error) as err:
        message = str(err) if isinstance(err, ValidationError) else (
            "The checked file came back damaged. Upload it again.")
        flash(message, "error")
        return render_template("facilitator/participants/import.html", study=study,
                               form=ImportUploadForm(formdata=None)), 400
    flash(f"{len(created)} participant{'s' if len(created) != 1 else ''} imported.", "success")
    return _to_list(study)


@bp.get("/studies/<int:study_id>/participants/<int:participant_id>")
@login_required
def show_participant(study_id: int, participant_id: int):
    """One participant by pseudonym: group, status, and what can be done."""
    study = studies.get_for_member(study_id, current_user)
    return render_template(
        "facilitator/participants/show.html", study=study,
        participant=participants.get_participant(study, participant_id),
        can_change=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
        can_see_contacts=participants.may_see_contacts(study, current_user),
    )


@bp.route("/studies/<int:study_id>/participants/<int:participant_id>/contact",
          methods=["GET", "POST"])
@login_required
def reveal_contact(study_id: int, participant_id: int):
    """Confirm, then show once, the e-mail address behind a pseudonym (audited)."""
    study = studies.get_for_member(study_id, current_user)
    participants.require_contact_access(study, current_user)
    participant = participants.get_participant(study, participant_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("facilitator/participants/reveal.html", study=study,
                               participant=participant, form=form)
    try:
        email = participants.reveal_contact(study, participant, current_user)
    except StateError as err:
        flash(str(err), "error")
        return _to_participant(study, participant)
    response = make_response(render_template(
        "facilitator/participants/revealed.html", study=study, participant=participant,
        email=email))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/studies/<int:study_id>/participants/<int:participant_id>/withdraw",
          methods=["GET", "POST"])
@login_required
def withdraw_participant(study_id: int, participant_id: int):
    """Confirm, then withdraw a participant under the study's withdrawal policy."""
    study = studies.get_for_editor(study_id, current_user)
    participant = participants.get_participant(study, participant_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_template("facilitator/participants/withdraw.html", study=study,
                               participant=participant, form=form)
    try:
        result = participants.withdraw_participant(study, participant, current_user,
                                                   erase_contact=form.erase_contact.data)
    except StateError as err:
        flash(str(err), "error")
        return _to_participant(study, participant)
    removed = f" {result.removed} answers and comments were removed." if result.answers_removed \
        else " Their answers are kept."
    flash(f"{participant.pseudonym} has been withdrawn.{removed}", "success")
    return _to_participant(study, participant)


@bp.route("/studies/<int:study_id>/participants/<int:participant_id>/erase-contact",
          methods=["GET", "POST"])
@login_required
def erase_contact(study_id: int, participant_id: int):
    """Confirm, then delete a participant's contact details; their answers stay."""
    study = studies.get_for_editor(study_id, current_user)
    participant = participants.get_participant(study, participant_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("facilitator/participants/erase.html", study=study,
                               participant=participant, form=form)
    try:
        participants.erase_contact(study, participant, current_user)
    except StateError as err:
        flash(str(err), "error")
        return _to_participant(study, participant)
    flash(f"The contact details of {participant.pseudonym} have been erased.", "success")
    return _to_participant(study, participant)


@bp.get("/studies/<int:study_id>/participants/contact-access")
@login_required
def show_contact_access(study_id: int):
    """Who in the team may see participants' contact details; owners change it here."""
    study = studies.get_for_member(study_id, current_user)
    return render_template(
        "facilitator/participants/contact_access.html", study=study,
        members=participants.team_access(study),
        is_owner=studies.role_in(study, current_user) == Role.OWNER,
    )


@bp.post("/studies/<int:study_id>/participants/contact-access/<int:membership_id>")
@login_required
def change_contact_access(study_id: int, membership_id: int):
    """Allow or stop one facilitator seeing contact details (owners only; audited)."""
    study = studies.get_for_member(study_id, current_user, roles=[Role.OWNER])
    form = ContactAccessForm()
    if not form.validate_on_submit() or form.allowed.data not in ("yes", "no"):
        flash("That change could not be read. Try again.", "error")
        return redirect(url_for("facilitator.show_contact_access", study_id=study.id))
    try:
        membership = participants.set_contact_access(study, membership_id,
                                                     form.allowed.data == "yes", current_user)
    except ValidationError as err:
        flash(str(err), "error")
        return redirect(url_for("facilitator.show_contact_access", study_id=study.id))
    verb = "can now" if membership.can_see_contacts else "can no longer"
    flash(f"{membership.user.name or membership.user.email} {verb} see contact details.",
          "success")
    return redirect(url_for("facilitator.show_contact_access", study_id=study.id))
