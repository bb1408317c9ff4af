"""Forms for signing in and out."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from .widgets import GovEmailInput


class LoginForm(FlaskForm):
    """E-mail address and password; whether they match is the accounts service's business."""

    email = StringField(
        "E-mail address",
        widget=GovEmailInput(),
        validators=[
            InputRequired(message="Enter your e-mail address"),
            Length(max=254, message="An e-mail address is at most 254 characters long"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SignOutEverywhereForm(FlaskForm):
    """Confirms ending every session of the account."""

    submit = SubmitField("Sign out everywhere", widget=GovSubmitInput())
