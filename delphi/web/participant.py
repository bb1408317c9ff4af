"""Participants' private links: the landing page and stopping reminders.

Participants have no account; the token in the address identifies them. Pages reached by a
token send ``Referrer-Policy: no-referrer`` (set for every response), so the token never
leaks to another site, and nothing here writes the token to a log.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from ..forms.messages import StopRemindersForm
from ..models import ParticipantStatus
from ..services import invitations, reminders

bp = Blueprint("participant", __name__)


def _link_error(error: invitations.UnknownLink | invitations.ExpiredLink):
    """The page for a link that cannot be used: 404 unknown, 410 expired."""
    if isinstance(error, invitations.ExpiredLink):
        return render_template("participant_link/expired.html", message=str(error),
                               study=error.study), 410
    return render_template("participant_link/unknown.html", message=str(error)), 404


@bp.get("/p/<token>")
def landing(token: str):
    """Welcome a participant to their study: what it is, and what happens next."""
    try:
        participant = invitations.find_participant_by_token(token)
    except (invitations.UnknownLink, invitations.ExpiredLink) as error:
        return _link_error(error)
    study = participant.study
    return render_template(
        "participant_link/welcome.html", participant=participant, study=study,
        round=invitations.open_round(study), token=token,
        has_withdrawn=participant.status == ParticipantStatus.WITHDRAWN,
        contact=invitations.team_contact(study),
    )


@bp.route("/p/<token>/stop-reminders", methods=["GET", "POST"])
def stop_reminders(token: str):
    """Ask, then stop reminders; the participant stays in the study."""
    try:
        participant = invitations.find_participant_by_token(token)
    except (invitations.UnknownLink, invitations.ExpiredLink) as error:
        return _link_error(error)
    form = StopRemindersForm()
    if form.validate_on_submit():
        reminders.stop_reminders(participant)
        return redirect(url_for("participant.stop_reminders", token=token), 303)
    return render_template(
        "participant_link/stop_reminders.html", participant=participant,
        study=participant.study, form=form, token=token,
        contact=invitations.team_contact(participant.study),
    ), 400 if form.errors else 200
