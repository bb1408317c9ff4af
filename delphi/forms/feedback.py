"""The form for what a round's participants see about the round before (feedback settings)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput
from wtforms import BooleanField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..services.feedback import GROUPS, OVERALL, OWN_GROUP, STATUS_HINT, FeedbackSettings

DISTRIBUTION_LABELS = {
    OVERALL: "Everyone's scores together, in one chart",
    GROUPS: "Each stakeholder group's scores, one chart per group",
    OWN_GROUP: "Their own stakeholder group's scores only",
}


class FeedbackSettingsForm(FlaskForm):
    """Which scores participants see, and what goes with them."""

    distribution = RadioField(
        "Which scores do participants see?", widget=GovRadioInput(),
        choices=[SelectChoice(value, label) for value, label in DISTRIBUTION_LABELS.items()],
        description="Groups smaller than the study's smallest group size are named but not "
                    "drawn.",
        validators=[InputRequired(message="Choose which scores participants see")],
    )
    percentage_sentence = BooleanField(
        "Show the percentage in the top band, like “74 % of the panel rated this 7 to 9”",
        widget=GovCheckboxInput(),
    )
    show_status = BooleanField(
        "Show whether each item reached agreement", widget=GovCheckboxInput(),
        description=STATUS_HINT + ".",
    )
    show_comments = BooleanField(
        "Show approved comments from the round before", widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save feedback settings", widget=GovSubmitInput())

    @property
    def distribution_label(self) -> str:
        """The words of the chosen distribution, for reading the settings."""
        return DISTRIBUTION_LABELS.get(self.distribution.data, "")

    def fill(self, settings: FeedbackSettings) -> FeedbackSettingsForm:
        """Show ``settings`` on a form nobody has submitted yet."""
        self.distribution.data = settings.distribution
        self.percentage_sentence.data = settings.percentage_sentence
        self.show_status.data = settings.show_status
        self.show_comments.data = settings.show_comments
        return self
