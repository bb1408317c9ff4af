"""Forms for the study team: inviting a co-facilitator or steering member, revoking an
invitation, and accepting one (joining as the signed-in user, or with a new account)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length

from .widgets import GovEmailInput

PASSWORD_LENGTH = 12


class StaffInviteForm(FlaskForm):
    """Who to invite and in which role."""

    email = StringField(
        "E-mail address", widget=GovEmailInput(),
        validators=[InputRequired(message="Enter the e-mail address of the person to invite"),
                    Length(max=254, message="An e-mail address is at most 254 characters long")],
    )
    role = RadioField(
        "Role", widget=GovRadioInput(),
        choices=[
            SelectChoice("facilitator", "Facilitator: runs the study with you"),
            SelectChoice("steering", "Steering group member: sees the study and its results, "
                                     "changes nothing"),
        ],
        validators=[InputRequired(message="Choose the role they will have")],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class RevokeForm(FlaskForm):
    """Withdraw a pending invitation."""

    submit = SubmitField("Revoke", widget=GovSubmitInput())


class JoinForm(FlaskForm):
    """The signed-in user accepts the invitation."""

    submit = SubmitField("Join the study team", widget=GovSubmitInput())


class NewAccountForm(FlaskForm):
    """A new account for someone accepting an invitation."""

    name = StringField(
        "Your name", widget=GovTextInput(),
        validators=[InputRequired(message="Enter your name"),
                    Length(max=200, message="Your name can be at most 200 characters long")],
    )
    password = PasswordField(
        "Choose a password", widget=GovPasswordInput(),
        description=f"At least {PASSWORD_LENGTH} characters. Several unrelated words are easy "
                    "to remember and hard to guess.",
        validators=[InputRequired(message="Choose a password"),
                    Length(min=PASSWORD_LENGTH, message=f"Choose a password of at least "
                                                        f"{PASSWORD_LENGTH} characters")],
    )
    confirm = PasswordField(
        "Type the password again", widget=GovPasswordInput(),
        validators=[InputRequired(message="Type the password again"),
                    EqualTo("password", message="The passwords do not match")],
    )
    submit = SubmitField("Create account and join", widget=GovSubmitInput())
