"""Forms of the ranking results page: which method to show (GET) and the shortlist decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

METHOD_CHOICES = [
    SelectChoice("jla", "James Lind Alliance: each group's list counts equally"),
    SelectChoice("union", "Each group's top choices taken together"),
    SelectChoice("weighted", "Points per person in each group, added up"),
]
SHORTLIST_CHOICES = [METHOD_CHOICES[0], METHOD_CHOICES[2]]


class MethodForm(FlaskForm):
    """How to combine the groups' choices; read from the address, so no CSRF token."""

    class Meta:
        csrf = False

    method = RadioField("How to combine the groups", choices=METHOD_CHOICES, default="jla",
                        widget=GovRadioInput(),
                        validators=[InputRequired(message="Choose how to combine the groups")])
    k = IntegerField(
        "How many of each group's top items (for each group's top choices)",
        widget=GovTextInput(), validators=[Optional(), NumberRange(
            min=1, max=1000, message="Enter a whole number from 1 to 1,000")],
        description="Leave blank to use the shortlist's size.",
    )
    submit = SubmitField("Show", widget=GovSubmitInput())


class ShortlistForm(FlaskForm):
    """Confirm the proposed shortlist or change its size, with a reason."""

    method = RadioField("Which list to cut", choices=SHORTLIST_CHOICES, default="jla",
                        widget=GovRadioInput(),
                        validators=[InputRequired(message="Choose which list to cut")])
    size = IntegerField(
        "How many items go to the workshop", widget=GovTextInput(),
        validators=[InputRequired(message="Enter how many items go to the workshop"),
                    NumberRange(min=1, max=1000,
                                message="Enter a whole number from 1 to 1,000")],
    )
    reason = TextAreaField(
        "Reason (needed when the size differs from the proposal)", widget=GovTextArea(),
        validators=[Length(max=2000, message="Keep the reason to 2,000 characters or fewer")],
    )
    submit = SubmitField("Record the shortlist", widget=GovSubmitInput())
