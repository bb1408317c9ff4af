"""Forms for a CHNRI exercise's set-up: criteria with their weights, and questions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp

from .base import ServiceErrorForm

WEIGHT_PATTERN = Regexp(r"^\s*\d+(\.\d+)?\s*$",
                        message="Enter the weight as a number, like 1 or 1.5")


class CriterionForm(ServiceErrorForm):
    """A criterion's name, weight and where the weight comes from."""

    name = StringField(
        "Criterion", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the criterion's name"),
                    Length(max=200, message="The criterion's name must be 200 characters or "
                                            "fewer")],
    )
    weight = StringField(
        "Weight", widget=GovTextInput(), default="1",
        description="1 means every criterion counts the same. A weight of 2 counts twice as "
                    "much as a weight of 1.",
        validators=[InputRequired(message="Enter the weight as a number, like 1 or 1.5"),
                    WEIGHT_PATTERN],
    )
    weight_source = TextAreaField(
        "Where the weight comes from", widget=GovTextArea(),
        description="Needed when the weight is not 1, for example “Weights from a stakeholder "
                    "survey of 2025, n = 120”.",
        validators=[Length(max=2000, message="The source must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Save criterion", widget=GovSubmitInput())

    def fill(self, criterion) -> CriterionForm:
        """Show ``criterion`` on a form nobody has submitted yet."""
        self.name.data = criterion.name
        self.weight.data = f"{criterion.weight:g}"
        self.weight_source.data = criterion.weight_source
        return self


class QuestionForm(ServiceErrorForm):
    """A question asked of every research option under one criterion."""

    text = TextAreaField(
        "Question", widget=GovTextArea(),
        description="Write a question that can be answered yes or no about any research "
                    "option.",
        validators=[InputRequired(message="Enter the question"),
                    Length(max=1000, message="The question must be 1,000 characters or fewer")],
    )
    submit = SubmitField("Save question", widget=GovSubmitInput())


class MoveForm(FlaskForm):
    """Move a criterion or question one place up or down."""

    direction = HiddenField(validators=[InputRequired(), Regexp(r"^(up|down)$")])


class ConfirmForm(FlaskForm):
    """Confirm something that cannot be undone, or use the standard criteria."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
