"""Forms for API tokens: making one (a name and how long it lasts) and revoking one."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange

from ..services.api_tokens import DEFAULT_DAYS, MAX_DAYS, NAME_LENGTH


class ApiTokenForm(FlaskForm):
    """What to call the new token and for how many days it works."""

    name = StringField(
        "Token name", widget=GovTextInput(),
        description="Say what the token is for, like “R analysis on my laptop”.",
        validators=[InputRequired(message="Enter a name for the token"),
                    Length(max=NAME_LENGTH,
                           message=f"A token's name can be at most {NAME_LENGTH} characters long")],
    )
    days = IntegerField(
        "Days until it expires", widget=GovTextInput(), default=DEFAULT_DAYS,
        invalid_value_message="Enter a whole number of days, like 90",
        description=f"From 1 to {MAX_DAYS}. After that the token stops working and you make "
                    "a new one.",
        validators=[InputRequired(message="Enter how many days the token should work"),
                    NumberRange(min=1, max=MAX_DAYS,
                                message=f"Enter a number of days from 1 to {MAX_DAYS}")],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class RevokeApiTokenForm(FlaskForm):
    """Confirm revoking a token."""

    submit = SubmitField("Revoke token", widget=GovSubmitInput())
