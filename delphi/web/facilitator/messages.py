"""Messages to participants: invitations, reminders (now and scheduled), the outbox's
progress, retrying failures and issuing a participant a new private link."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...errors import DelphiError
from ...forms.messages import (
    CancelReminderForm,
    InviteForm,
    NewLinkForm,
    RemindForm,
    RetryForm,
    ScheduleForm,
)
from ...services import invitations, mailer, participants, reminders, studies, worker
from . import bp


def _to_messages(study):
    return redirect(url_for("facilitator.show_messages", study_id=study.id))


def _page(study, status=200, **forms):
    """The messages page; ``forms`` replace the blank ones (to keep input and errors)."""
    round_ = invitations.open_round(study)
    panel = participants.list_participants(study)
    link_form = forms.get("link_form") or NewLinkForm().offer(panel)
    return render_template(
        "facilitator/messages/show.html", study=study, round=round_,
        can_change=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
        smtp=mailer.is_configured(), progress=worker.progress(study),
        failed=worker.failed_messages(study), pseudonyms={p.id: p.pseudonym for p in panel},
        uninvited=invitations.uninvited(round_) if round_ else [],
        recipients=reminders.recipients(round_) if round_ else [],
        scheduled=reminders.pending(round_) if round_ else [],
        invite_form=InviteForm(), remind_form=RemindForm(), retry_form=RetryForm(),
        cancel_form=CancelReminderForm(),
        schedule_form=forms.get("schedule_form") or ScheduleForm(), link_form=link_form,
    ), status


@bp.get("/studies/<int:study_id>/messages")
@login_required
def show_messages(study_id: int):
    """Outbox progress by kind, and the invite, remind and schedule actions."""
    return _page(studies.get_for_member(study_id, current_user))


@bp.get("/studies/<int:study_id>/messages/progress.json")
@login_required
def outbox_progress(study_id: int):
    """The outbox counts by kind, for the page's script to refresh them."""
    study = studies.get_for_member(study_id, current_user)
    return jsonify({item.kind.value: item.as_dict() for item in worker.progress(study)})


@bp.post("/studies/<int:study_id>/messages/invitations")
@login_required
def invite_participants(study_id: int):
    """Invite everyone not yet invited to the open round; show links that were not e-mailed."""
    study = studies.get_for_editor(study_id, current_user)
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(study, 400)
    round_ = invitations.open_round(study)
    try:
        chosen = invitations.uninvited(round_, form.include_test.data,
                                       form.everyone.data) if round_ else []
        result = invitations.invite(study, round_, chosen, current_user)
    except DelphiError as error:
        flash(str(error), "error")
        return _page(study, 409)
    if not result.links:
        flash(f"{result.emailed} invitations queued. They go out in the next minute.", "success")
        return _to_messages(study)
    return render_template("facilitator/messages/links.html", study=study, result=result,
                           explanation=invitations.NO_SMTP_EXPLANATION)


@bp.post("/studies/<int:study_id>/messages/reminders")
@login_required
def send_reminders(study_id: int):
    """Remind everyone who has not completed the open round, now."""
    study = studies.get_for_editor(study_id, current_user)
    if not RemindForm().validate_on_submit():
        return _page(study, 400)
    try:
        result = reminders.send_now(study, invitations.open_round(study), current_user)
    except DelphiError as error:
        flash(str(error), "error")
        return _page(study, 409)
    flash(f"{result.queued} reminders queued.", "success")
    return _to_messages(study)


@bp.post("/studies/<int:study_id>/messages/scheduled-reminders")
@login_required
def schedule_reminders(study_id: int):
    """Schedule reminders a number of days after the open round opened."""
    study = studies.get_for_editor(study_id, current_user)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _page(study, 400, schedule_form=form)
    try:
        days = reminders.parse_days(form.days.data)
        created = reminders.schedule(study, invitations.open_round(study), days, current_user)
    except DelphiError as error:
        form.days.errors.append(str(error))
        return _page(study, 400, schedule_form=form)
    flash(f"{len(created)} reminders scheduled.", "success")
    return _to_messages(study)


@bp.post("/studies/<int:study_id>/messages/scheduled-reminders/<int:reminder_id>/cancel")
@login_required
def cancel_reminder(study_id: int, reminder_id: int):
    """Cancel a scheduled reminder that has not gone out."""
    study = studies.get_for_editor(study_id, current_user)
    if not CancelReminderForm().validate_on_submit():
        return _page(study, 400)
    try:
        reminders.cancel(study, reminder_id, current_user)
    except DelphiError as error:
        flash(str(error), "error")
        return _page(study, 404)
    flash("The scheduled reminder was cancelled.", "success")
    return _to_messages(study)


@bp.post("/studies/<int:study_id>/messages/retry")
@login_required
def retry_messages(study_id: int):
    """Queue the failed messages again."""
    study = studies.get_for_editor(study_id, current_user)
    if not RetryForm().validate_on_submit():
        return _page(study, 400)
    count = worker.retry_failed(study, current_user)
    flash(f"{count} failed messages queued again." if count else "No messages have failed.",
          "success" if count else "info")
    return _to_messages(study)


@bp.post("/studies/<int:study_id>/messages/new-link")
@login_required
def reissue_link(study_id: int):
    """Give one participant a new private link; earlier links stop working."""
    study = studies.get_for_editor(study_id, current_user)
    form = NewLinkForm().offer(participants.list_participants(study))
    if not form.validate_on_submit():
        return _page(study, 400, link_form=form)
    try:
        participant = participants.get_participant(study, int(form.participant.data))
        issued = invitations.reissue_link(study, participant, current_user)
    except DelphiError as error:
        form.participant.errors.append(str(error))
        return _page(study, 400, link_form=form)
    if issued.emailed:
        flash(f"A new link was e-mailed to {participant.pseudonym}. Earlier links no longer "
              "work.", "success")
        return _to_messages(study)
    return render_template("facilitator/messages/new_link.html", study=study, issued=issued,
                           smtp=mailer.is_configured())
