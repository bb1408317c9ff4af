"""Participants' private links: the token entry points, stopping reminders and leaving.

Participants have no account; the token in the address identifies them once. ``/p/<token>``
and ``/p/<token>/stop-reminders`` start a participant session (:mod:`.session`) and redirect
(303) to an address without the token, so tokens stay out of logs and browser history.
Every response sends ``Referrer-Policy: no-referrer``, and nothing here logs a token.
"""

from __future__ import annotations

from contextlib import suppress

from flask import redirect, render_template, url_for

from ...errors import StateError
from ...forms.messages import StopRemindersForm
from ...forms.registration import LeaveStudyForm
from ...services import invitations, participant_access, participants, reminders
from . import bp
from .session import (
    begin,
    link_error_page,
    participant_required,
    show_withdrawn,
    withdrawn_participant,
)


def _start(token: str, endpoint: str):
    """Check ``token``, start the session and redirect (303) to ``endpoint``."""
    try:
        invitation = participant_access.invitation_for_token(token)
    except (invitations.UnknownLink, invitations.ExpiredLink) as error:
        return link_error_page(error)
    begin(invitation)
    return redirect(url_for(endpoint), 303)


@bp.get("/p/<token>")
def landing(token: str):
    """A participant's private link: start their session, then go to their home page."""
    return _start(token, "participant.home")


@bp.get("/p/<token>/stop-reminders")
def stop_reminders(token: str):
    """The stop-reminders link in every message: start the session, then ask."""
    return _start(token, "participant.reminders")


@bp.route("/take-part/stop-reminders", methods=["GET", "POST"], endpoint="reminders")
@participant_required
def reminders_page(participant):
    """Ask, then stop reminders; the participant stays in the study."""
    form = StopRemindersForm()
    if form.validate_on_submit():
        reminders.stop_reminders(participant)
        return redirect(url_for("participant.reminders"), 303)
    return render_template(
        "participant_link/stop_reminders.html", participant=participant,
        study=participant.study, form=form,
        contact=invitations.team_contact(participant.study),
    ), 400 if form.errors else 200


@bp.route("/take-part/withdraw", methods=["GET", "POST"])
@participant_required
def withdraw(participant):
    """Say what leaving means under the study's policy, ask to confirm, then leave."""
    study = participant.study
    form = LeaveStudyForm()
    if form.validate_on_submit():
        with suppress(StateError):  # already left, in another tab: the next page says so
            participants.withdraw_participant(study, participant, by=None,
                                              erase_contact=form.erase_contact.data)
        return show_withdrawn(participant)
    return render_template(
        "participant_link/withdraw.html", participant=participant, study=study, form=form,
        has_contact=participant.contact is not None,
    ), 400 if form.errors else 200


@bp.get("/take-part/withdrawn")
def withdrawn():
    """The page for a participant who has left: what happened to their answers."""
    try:
        participant = withdrawn_participant()
    except invitations.UnknownLink as error:
        return link_error_page(error)
    study = participant.study
    return render_template(
        "participant_link/withdrawn.html", participant=participant, study=study,
        contact=invitations.team_contact(study),
    )
