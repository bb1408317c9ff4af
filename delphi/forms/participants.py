"""Forms for the panel: adding and importing participants, test participants, withdrawal,
contact details and who may see them. The handler fills in the stakeholder-group choices."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from .widgets import GovEmailInput

EMAIL_LENGTH = Length(max=254, message="An e-mail address is at most 254 characters long")


def _group_field(label: str = "Stakeholder group") -> RadioField:
    return RadioField(
        label, choices=[], widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the participant's stakeholder group")],
    )


class ParticipantForm(FlaskForm):
    """One participant: e-mail address, stakeholder group and an optional reference."""

    email = StringField(
        "E-mail address", widget=GovEmailInput(),
        validators=[InputRequired(message="Enter the participant's e-mail address"),
                    EMAIL_LENGTH],
    )
    group = _group_field()
    reference = StringField(
        "Your reference (optional)", widget=GovTextInput(),
        description="For your own records, such as a recruitment site code. Participants "
                    "never see it; do not put names here.",
        validators=[Optional(), Length(max=200, message="A reference is at most 200 "
                                                        "characters long")],
    )
    submit = SubmitField("Add participant", widget=GovSubmitInput())


class TestParticipantForm(FlaskForm):
    """A test participant: stakeholder group and an optional address for their messages."""

    group = _group_field("Which group should the test participant answer as?")
    email = StringField(
        "E-mail address for the test participant's messages (optional)", widget=GovEmailInput(),
        description="Your own address, if you want to receive the test participant's "
                    "invitation and reminders.",
        validators=[Optional(), EMAIL_LENGTH],
    )
    submit = SubmitField("Add test participant", widget=GovSubmitInput())


class ImportUploadForm(FlaskForm):
    """A CSV file of participants to check before anything is created."""

    file = FileField(
        "Upload a CSV file", widget=GovFileInput(),
        description="Columns: e-mail, stakeholder group, and optionally reference, with "
                    "their names in the first row.",
        validators=[FileRequired(message="Choose a CSV file to upload"),
                    FileAllowed(["csv", "txt"], message="The file must be a CSV file "
                                                        "(ending .csv); save it from your "
                                                        "spreadsheet as CSV")],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ImportConfirmForm(FlaskForm):
    """Confirms an import; carries the checked file (base64) so it is checked again."""

    content = HiddenField(validators=[InputRequired(message="Upload the file again")])
    submit = SubmitField("Import these participants", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    """Confirms a participant's withdrawal; optionally erases their contact details too."""

    erase_contact = BooleanField(
        "Also erase their contact details", widget=GovCheckboxInput(),
        description="Their e-mail address is deleted for good; their pseudonymous answers "
                    "are kept or removed as the study's withdrawal policy says.",
    )
    submit = SubmitField("Withdraw participant", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A single confirmation button (erase contact details, show contact details)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ContactAccessForm(FlaskForm):
    """Allows or stops one facilitator seeing contact details."""

    allowed = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Change", widget=GovSubmitInput())
