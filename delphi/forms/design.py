"""Forms for designing a study: details, protocol, dimensions, consensus rules, groups."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, StopValidation

from ..models import CarryForwardPolicy, RuleRole, StudyKind, WithdrawalPolicy
from ..services.design import (
    CARRY_FORWARD_WORDS,
    LANGUAGES,
    MAX_GROUP_SIZE,
    MAX_PLANNED_ROUNDS,
    MAX_TARGET,
    MIN_GROUP_SIZE,
    CriterionPart,
    DimensionSpec,
    RuleParts,
    StudyDetails,
)
from ..services.scales import MAX_POINTS
from .widgets import GovEmailInput


def _options(pairs) -> list[SelectChoice]:
    """Choices as WTForms wants them (plain tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


KIND_CHOICES = [
    (StudyKind.DELPHI.value, "Delphi study (rounds of rating towards consensus)"),
    (StudyKind.PRIORITY_SETTING.value, "Priority setting (agreeing a ranked list)"),
    (StudyKind.CHNRI.value, "CHNRI (scoring research options against criteria)"),
]
WITHDRAWAL_CHOICES = [
    (WithdrawalPolicy.KEEP.value, "Keep the answers given before withdrawing"),
    (WithdrawalPolicy.REMOVE.value, "Remove all of the person's answers"),
]
CARRY_FORWARD_CHOICES = [(policy.value, words) for policy, words in CARRY_FORWARD_WORDS.items()]
SCALE_CHOICES = [
    ("grade9", "GRADE 1–9: 1–3 not important, 4–6 important but not critical, 7–9 critical"),
    ("agreement5", "5-point agreement: strongly disagree to strongly agree"),
    ("custom", "My own labelled points"),
]
ROLE_CHOICES = [
    (RuleRole.PRIMARY.value, "Primary: decides each item's status"),
    (RuleRole.SECONDARY.value, "Secondary: reported beside the primary rule"),
]
OPERATOR_CHOICES = [(">=", "at least (≥)"), (">", "more than (>)"),
                    ("<=", "at most (≤)"), ("<", "less than (<)")]
CUSTOM_RULE = "custom"
RULE_SLOTS = (("pct1", "percent"), ("pct2", "percent"), ("median", "median"), ("iqr", "iqr"))
SLOT_WORDS = {"pct1": "percentage rating", "pct2": "second percentage rating",
              "median": "median", "iqr": "interquartile range (IQR)"}
SECTION_WORDS = {"in": "Consensus in", "out": "Consensus out"}
"""The parts of a built rule, for "consensus in" and "consensus out" alike."""

WHOLE_NUMBER = "Enter a whole number, like 5"


class OptionalDate:
    """Stop validation when every part of a date is blank; otherwise let errors stand."""

    field_flags = {"optional": True}

    def __call__(self, form, field):
        if not any((part or "").strip() for part in field.raw_data or []):
            field.errors[:] = []
            raise StopValidation()


class StudyDetailsForm(FlaskForm):
    """A study's details, everything but the pre-registered protocol."""

    title = StringField("Title", widget=GovTextInput(), validators=[
        InputRequired(message="Enter the study's title"),
        Length(max=300, message="Keep the title to 300 characters or fewer")])
    summary = TextAreaField(
        "Plain-English summary", widget=GovTextArea(),
        description="What the study is about, for participants and the public.",
        validators=[Length(max=5000, message="Keep the summary to 5,000 characters or fewer")])
    kind = RadioField("Type of study", widget=GovRadioInput(),
                      choices=_options(KIND_CHOICES),
                      default=StudyKind.DELPHI.value,
                      validators=[InputRequired(message="Choose the type of study")])
    contact_name = StringField(
        "Study team contact name", widget=GovTextInput(),
        description="Shown to participants as the person or team to contact.",
        validators=[InputRequired(message="Enter the study team's contact name"),
                    Length(max=200, message="Keep the name to 200 characters or fewer")])
    contact_email = StringField(
        "Study team e-mail address", widget=GovEmailInput(),
        validators=[InputRequired(message="Enter the study team's e-mail address"),
                    Length(max=254, message="An e-mail address is at most 254 characters long")])
    min_group_size = IntegerField(
        "Smallest group shown in results", widget=GovTextInput(), default=5,
        invalid_value_message=WHOLE_NUMBER,
        description=(f"Results of a stakeholder group with fewer people than this are not "
                     f"shown, so no one's answers can be recognised. From {MIN_GROUP_SIZE} to "
                     f"{MAX_GROUP_SIZE}; 5 is usual."),
        validators=[InputRequired(message="Enter the smallest group size shown in results"),
                    NumberRange(min=MIN_GROUP_SIZE, max=MAX_GROUP_SIZE,
                                message=f"Enter a number from {MIN_GROUP_SIZE} to "
                                        f"{MAX_GROUP_SIZE}")])
    withdrawal_policy = RadioField(
        "When a participant withdraws", widget=GovRadioInput(),
        choices=_options(WITHDRAWAL_CHOICES),
        default=WithdrawalPolicy.KEEP.value,
        validators=[InputRequired(message="Choose what happens when a participant withdraws")])
    retention_date = DateField(
        "Keep the study's data until (optional)", widget=GovDateInput(), format="%d %m %Y",
        description="For example, 31 3 2032. Leave blank if not decided yet.",
        invalid_value_message="Enter a real date, like 31 3 2032",
        validators=[OptionalDate()])
    language = SelectField("Main language of participant material", widget=GovSelect(),
                           choices=_options(LANGUAGES.items()), default="en",
                           validators=[InputRequired(message="Choose the main language")])
    submit = SubmitField("Save", widget=GovSubmitInput())

    def details(self) -> StudyDetails:
        """The details as typed, for the design service to check and store."""
        return StudyDetails(
            title=self.title.data, summary=self.summary.data, kind=self.kind.data,
            contact_name=self.contact_name.data, contact_email=self.contact_email.data,
            min_group_size=self.min_group_size.data,
            withdrawal_policy=self.withdrawal_policy.data,
            retention_date=self.retention_date.data, language=self.language.data,
        )


class ProtocolFields(FlaskForm):
    """The pre-registered settings, planned rounds and carry-forward policy."""

    planned_rounds = IntegerField(
        "Number of planned rounds", widget=GovTextInput(), default=3,
        invalid_value_message=WHOLE_NUMBER,
        validators=[InputRequired(message="Enter the number of planned rounds"),
                    NumberRange(min=1, max=MAX_PLANNED_ROUNDS,
                                message=f"Enter a number from 1 to {MAX_PLANNED_ROUNDS}")])
    carry_forward_policy = RadioField(
        "Which items are rated again in the next round", widget=GovRadioInput(),
        choices=_options(CARRY_FORWARD_CHOICES),
        default=CarryForwardPolicy.NO_CONSENSUS.value,
        validators=[InputRequired(message="Choose which items are rated again")])


class CreateStudyForm(StudyDetailsForm, ProtocolFields):
    """A new study: its details and protocol settings."""

    submit = SubmitField("Create study", widget=GovSubmitInput())


def _reason_field() -> TextAreaField:
    """The reason asked for a change to a fixed protocol (the service requires it then)."""
    return TextAreaField(
        "Reason for the change", widget=GovTextArea(),
        description=("Round 1 has opened, so the protocol is fixed. The change and this "
                     "reason are reported as a deviation from the protocol."),
        validators=[Length(max=2000, message="Keep the reason to 2,000 characters or fewer")])


class ProtocolForm(ProtocolFields):
    """Change the planned rounds and carry-forward policy."""

    reason = _reason_field()
    submit = SubmitField("Save", widget=GovSubmitInput())


class DimensionForm(FlaskForm):
    """A dimension with its question and scale."""

    name = StringField("Name", widget=GovTextInput(), description="For example, Importance.",
                       validators=[InputRequired(message="Enter the dimension's name"),
                                   Length(max=100, message="Keep the name to 100 characters "
                                                           "or fewer")])
    question = TextAreaField(
        "Question participants answer", widget=GovTextArea(),
        description="For example, How important is this outcome?",
        validators=[InputRequired(message="Enter the question participants answer"),
                    Length(max=1000, message="Keep the question to 1,000 characters or fewer")])
    scale = RadioField("Scale", widget=GovRadioInput(), choices=_options(SCALE_CHOICES),
                       default="grade9",
                       validators=[InputRequired(message="Choose a scale")])
    minimum = IntegerField(
        "Lowest point (your own scale only)", widget=GovTextInput(),
        invalid_value_message=WHOLE_NUMBER, validators=[Optional()])
    maximum = IntegerField(
        "Highest point (your own scale only)", widget=GovTextInput(),
        description=f"At most {MAX_POINTS} points in all.",
        invalid_value_message=WHOLE_NUMBER, validators=[Optional()])
    labels = TextAreaField(
        "Label of each point (your own scale only)", widget=GovTextArea(),
        description="One line for each point, lowest first.",
        validators=[Length(max=3000, message="Keep the labels to 3,000 characters or fewer")])
    bands = TextAreaField(
        "Bands (your own scale only, optional)", widget=GovTextArea(),
        description="One line for each band, as name: lowest–highest, for example agree: 4–5.",
        validators=[Length(max=2000, message="Keep the bands to 2,000 characters or fewer")])
    offers_unable = BooleanField("Offer “unable to score” beside the scale",
                                 widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save dimension", widget=GovSubmitInput())

    def spec(self) -> DimensionSpec:
        """The dimension as typed, for the design service to check and store."""
        return DimensionSpec(
            name=self.name.data, question=self.question.data, scale=self.scale.data,
            offers_unable=self.offers_unable.data, minimum=self.minimum.data,
            maximum=self.maximum.data, labels=self.labels.data or "",
            bands=self.bands.data or "",
        )


def _criterion_fields(section: str, slot: str, statistic: str) -> dict:
    what = f"{SECTION_WORDS[section]}: {SLOT_WORDS[slot]}"
    fields = {
        f"{section}_{slot}_op": SelectField(
            f"{what}, comparison", widget=GovSelect(), choices=_options(OPERATOR_CHOICES),
            default=">=",
            validators=[AnyOf([op for op, _ in OPERATOR_CHOICES],
                              message="Choose a comparison")]),
        f"{section}_{slot}_value": FloatField(
            f"{what}, {'percentage' if statistic == 'percent' else 'value'} (blank: not used)",
            widget=GovTextInput(),
            invalid_value_message="Enter a number, like 70", validators=[Optional()]),
    }
    if statistic == "percent":
        fields[f"{section}_{slot}_band"] = SelectField(
            f"{what}, points", widget=GovSelect(), choices=[], validate_choice=False)
    return fields


class RuleForm(FlaskForm):
    """Choose a preset consensus rule or build one from parts; its role; a reason if fixed."""

    rule = RadioField("Rule", widget=GovRadioInput(), choices=[],
                      validators=[InputRequired(message="Choose a rule, or build your own")])
    role = RadioField("Role of the rule", widget=GovRadioInput(),
                      choices=_options(ROLE_CHOICES),
                      default=RuleRole.PRIMARY.value,
                      validators=[InputRequired(message="Choose the rule's role")])
    name = StringField("Name of your rule", widget=GovTextInput(),
                       validators=[Length(max=200, message="Keep the name to 200 characters "
                                                           "or fewer")])
    every_group = BooleanField("The rule must hold in every stakeholder group",
                               widget=GovCheckboxInput())
    reason = _reason_field()
    submit = SubmitField("Add rule", widget=GovSubmitInput())


    def set_choices(self, presets: list[str], bands: list[tuple[str, str]]) -> None:
        """The presets that fit the study and the bands its scale offers (``"lo-hi"``)."""
        self.rule.choices = _options(
            [(name, name) for name in presets] + [(CUSTOM_RULE, "Build my own rule")])
        for section in ("in", "out"):
            for slot, statistic in RULE_SLOTS:
                if statistic == "percent":
                    self[f"{section}_{slot}_band"].choices = _options(bands)

    def choice(self) -> str | RuleParts:
        """The chosen preset's name, or the parts of the facilitator's own rule."""
        if self.rule.data != CUSTOM_RULE:
            return self.rule.data
        return RuleParts(self.name.data or "", self.criteria("in"), self.criteria("out"),
                         self.every_group.data)

    def criteria(self, section: str) -> list[CriterionPart]:
        """The filled-in parts of one section (``"in"`` or ``"out"``); blank values are unused."""
        parts = []
        for slot, statistic in RULE_SLOTS:
            value = self[f"{section}_{slot}_value"].data
            if value is None:
                continue
            band = None
            if statistic == "percent":
                low, _, high = (self[f"{section}_{slot}_band"].data or "").partition("-")
                band = (int(low), int(high)) if low.isdigit() and high.isdigit() else None
            parts.append(CriterionPart(statistic, self[f"{section}_{slot}_op"].data, value, band))
        return parts


for _section in ("in", "out"):
    for _slot, _statistic in RULE_SLOTS:
        for _name, _field in _criterion_fields(_section, _slot, _statistic).items():
            setattr(RuleForm, _name, _field)


class ReasonForm(FlaskForm):
    """Confirm a change to the rules, with a reason once the protocol is fixed."""

    reason = _reason_field()
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """Confirm a deletion."""

    submit = SubmitField("Yes, delete it", widget=GovSubmitInput())


class GroupForm(FlaskForm):
    """A stakeholder group's name and recruitment target."""

    name = StringField("Name", widget=GovTextInput(),
                       description="For example, Patients and carers.",
                       validators=[InputRequired(message="Enter the group's name"),
                                   Length(max=100, message="Keep the name to 100 characters "
                                                           "or fewer")])
    target_number = IntegerField(
        "Target number of participants", widget=GovTextInput(), default=0,
        invalid_value_message=WHOLE_NUMBER,
        validators=[InputRequired(message="Enter the target number of participants"),
                    NumberRange(min=0, max=MAX_TARGET,
                                message=f"Enter a number from 0 to {MAX_TARGET}")])
    submit = SubmitField("Save group", widget=GovSubmitInput())


class MoveForm(FlaskForm):
    """Move a group up or down the list."""

    direction = HiddenField(validators=[AnyOf(["up", "down"], message="Choose up or down")])
