"""The form for how a round's participants answer: score, rank their top N, or tick N."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import IntegerField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from ..models import RoundKind
from ..services.ranking import KIND_WORDS, SETTABLE_KINDS, RankingSettings

EXACT = "exact"
AT_MOST = "at_most"


class WholeNumberField(IntegerField):
    """A whole number, with a message in plain words when something else is typed."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a whole number of items, like 10") from error


class RankingSettingsForm(FlaskForm):
    """The round's kind, N, and whether participants choose exactly N or up to N."""

    kind = RadioField(
        "How do participants answer this round?", widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, KIND_WORDS[kind]) for kind in SETTABLE_KINDS],
        validators=[InputRequired(message="Choose how participants answer this round")],
    )
    size = WholeNumberField(
        "How many items does each participant choose?", widget=GovTextInput(),
        description="For example, 10. Not needed when participants score each item.",
        validators=[Optional(),
                    NumberRange(min=1, message="Enter a whole number of items, 1 or more")],
    )
    exact = RadioField(
        "Must they choose exactly that many?", widget=GovRadioInput(),
        choices=[SelectChoice(EXACT, "Exactly that many"),
                 SelectChoice(AT_MOST, "Up to that many (fewer is allowed)")],
        default=AT_MOST,
        validators=[InputRequired(message="Choose exactly that many or up to that many")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (self.kind.data in (RoundKind.RANKING.value, RoundKind.CHOOSE_N.value)
                and self.size.data is None and not self.size.errors):
            self.size.errors = [*self.size.errors,
                                "Enter how many items each participant chooses, like 10"]
            valid = False
        return valid

    def fill(self, settings: RankingSettings) -> RankingSettingsForm:
        """Show ``settings`` on a form nobody has submitted yet."""
        self.kind.data = settings.kind.value
        self.size.data = settings.size
        self.exact.data = EXACT if settings.exact else AT_MOST
        return self
