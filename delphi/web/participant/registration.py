"""Getting in without a private link: joining through an open link, and "e-mail me my link
again". Both pages are public; the registration service keeps their rate limits."""

from __future__ import annotations

from flask import render_template, request

from ...errors import NotFound, ValidationError
from ...forms.registration import JoinForm, ResendForm
from ...models import DocumentKind
from ...services import documents, invitations, registration
from . import bp
from .session import begin


@bp.route("/p/resend", methods=["GET", "POST"], endpoint="resend_link")
def resend_link():
    """Ask for an address; always give the same reply, and e-mail links if it is known."""
    form = ResendForm()
    if form.validate_on_submit():
        try:
            registration.resend_links(form.email.data, request.remote_addr)
        except ValidationError as err:
            form.email.errors = [*form.email.errors, str(err)]
        else:
            return render_template("registration/resend_sent.html")
    return render_template("registration/resend.html", form=form), 400 if form.errors else 200


def _join_page(link, form, status=200, errors=None):
    study = link.study
    context = documents.study_context(study, invitations.open_round(study))
    information = documents.render_document(
        documents.current_version(study, DocumentKind.INFORMATION), context)
    consent_version = documents.current_version(study, DocumentKind.CONSENT)
    if not form.version.data or (errors and "agreed" in errors):
        form.version.data = str(consent_version.number)
    return render_template(
        "registration/join.html", link=link, study=study, form=form,
        information=information, consent=documents.render_document(consent_version, context),
        contact=invitations.team_contact(study),
    ), status


def _closed_page(error):
    return render_template("registration/closed.html", message=str(error),
                           study=error.study), 410


@bp.route("/join/<slug>", methods=["GET", "POST"])
def join(slug: str):
    """Read the information, consent, choose a group; then get a private link."""
    try:
        link = registration.find_open_link(slug)
        registration.require_accepting(link)
    except NotFound as error:
        return render_template("participant_link/unknown.html", message=str(error)), 404
    except registration.LinkClosed as error:
        return _closed_page(error)
    form = JoinForm().offer(link.study.groups)
    if not form.validate_on_submit():
        return _join_page(link, form, 400 if form.is_submitted() else 200)
    try:
        joined = registration.register(
            link, client_address=request.remote_addr, group_id=form.group.data,
            agreed=form.agreed.data or [], email=form.email.data or "",
            consent_version=form.consent_version(), honeypot=form.website.data or "",
        )
    except registration.LinkClosed as error:
        return _closed_page(error)
    except registration.TooManyAttempts as error:
        form.form_errors.append(str(error))
        return _join_page(link, form, 429)
    except registration.RegistrationError as error:
        for field, message in error.errors.items():
            getattr(form, field).errors = [*getattr(form, field).errors, message]
        return _join_page(link, form, 400, error.errors)
    if joined.invitation is not None:
        begin(joined.invitation)
    return render_template("registration/joined.html", study=link.study, joined=joined)
