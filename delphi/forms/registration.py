"""Forms for getting in: joining through an open link, e-mailing a link again, leaving a
study, and the team's open-link settings. The handlers fill in the group choices; the
registration service checks the consent statements and the address."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from .widgets import GovEmailInput

EMAIL_LENGTH = Length(max=254, message="An e-mail address is at most 254 characters long")


class JoinForm(FlaskForm):
    """Consent statements, a group, an optional address and a field people never see.

    Whether a group was chosen and the required statements ticked is checked by the
    registration service, so every problem is shown at once. ``agreed`` is drawn by
    ``templates/participant/_consent.html`` (one checkbox per statement); ``website`` is
    the hidden field that only robots fill in.
    """

    agreed = SelectMultipleField("Tick each statement you agree with", choices=[],
                                 validate_choice=False)
    group = RadioField("Which group fits you best?", choices=[], widget=GovRadioInput(),
                       validate_choice=False)
    email = StringField(
        "Your e-mail address (optional)", widget=GovEmailInput(),
        description="We will send your private link here. We will also tell you when "
                    "the next round opens.",
        validators=[Optional(), EMAIL_LENGTH],
    )
    website = StringField("Leave this empty")
    version = HiddenField()
    submit = SubmitField("Join the study", widget=GovSubmitInput())

    def offer(self, groups) -> "JoinForm":
        """List ``groups`` (the study's) as the choices."""
        self.group.choices = [(str(group.id), group.name) for group in groups]
        return self

    def consent_version(self) -> int | None:
        """The consent form's version the visitor read, if the form says."""
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() else None


class ResendForm(FlaskForm):
    """The address a participant's link should go to."""

    email = StringField(
        "Your e-mail address", widget=GovEmailInput(),
        description="Use the address the study team wrote to.",
        validators=[InputRequired(message="Enter your e-mail address"), EMAIL_LENGTH],
    )
    submit = SubmitField("Send me my link", widget=GovSubmitInput())


class LeaveStudyForm(FlaskForm):
    """Confirm leaving a study; optionally delete the e-mail address too."""

    erase_contact = BooleanField(
        "Also delete my e-mail address. We will not be able to write to you again.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Yes, I want to leave", widget=GovSubmitInput())


class NewOpenLinkForm(FlaskForm):
    """Create an open registration link."""

    submit = SubmitField("Create an open link", widget=GovSubmitInput())


class CapForm(FlaskForm):
    """The most people who may join through one open link; empty for no limit."""

    cap = StringField(
        "Most people who can join through this link (optional)", widget=GovTextInput(),
        description="Leave it empty for no limit. When this many have joined, the link "
                    "turns new people away.",
        validators=[Optional(),
                    Regexp(r"^\s*[0-9]{1,6}\s*$",
                           message="Enter a whole number from 1 to 100,000, like 200, "
                                   "or leave it empty")],
    )
    submit = SubmitField("Save the limit", widget=GovSubmitInput())

    def value(self) -> int | None:
        """The limit as a number, or None for no limit."""
        text = (self.cap.data or "").strip()
        return int(text) if text else None


class CloseLinkForm(FlaskForm):
    """Confirm closing an open link."""

    submit = SubmitField("Close the link", widget=GovSubmitInput())


class ReopenLinkForm(FlaskForm):
    """Reopen a closed open link."""

    submit = SubmitField("Reopen the link", widget=GovSubmitInput())
