"""Forms for reviewing comments and suggestions, and for turning suggestions into items."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp

from .base import ServiceErrorForm
from .items import explanation_field, statement_field


class ActionForm(FlaskForm):
    """One review button (approve, hide, return to review, separate): only the CSRF token."""


class EditTextForm(FlaskForm):
    """The wording others will read in place of what the participant wrote."""

    text = TextAreaField(
        "Text to show",
        widget=GovTextArea(),
        description="Participants and the steering group read this. The original wording is "
                    "kept in the study's record and in exports.",
        validators=[
            InputRequired(message="Enter the text to show"),
            Length(max=5000, message="The text must be 5,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Save and approve", widget=GovSubmitInput())


class ApproveAllForm(FlaskForm):
    """Approve every comment and suggestion still waiting; ``expected`` is how many were seen."""

    expected = HiddenField(validators=[InputRequired(), Regexp(r"^\d+$")])
    submit = SubmitField("Approve all", widget=GovSubmitInput())


class MergeSuggestionsForm(FlaskForm):
    """The suggestions that say the same as the one kept (choices set by the page)."""

    duplicates = SelectMultipleField(
        "Which suggestions say the same thing?",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[InputRequired(message="Choose at least one suggestion to group with this "
                                          "one")],
    )
    submit = SubmitField("Group these suggestions", widget=GovSubmitInput())


class SuggestionItemForm(ServiceErrorForm):
    """A new item's wording, written by the facilitator from participants' suggestions."""

    text = statement_field(
        "Statement for the new item",
        "Write it in plain English; the suggestions it came from are kept with it.",
        "Enter the statement for the new item",
    )
    explanation = explanation_field()
    domain = StringField(
        "Domain (optional)",
        widget=GovTextInput(),
        validators=[Length(max=200, message="The domain must be 200 characters or fewer")],
    )
    submit = SubmitField("Create the item", widget=GovSubmitInput())
