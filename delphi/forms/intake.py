"""Forms of the uncertainty intake: scope, who sent a submission, and the evidence check."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length

from ..models import EvidenceStatus
from ..services.intake import (
    EVIDENCE_WORDS,
    MAX_NOTE_LENGTH,
    MAX_ORGANISATION_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TYPE_LENGTH,
)
from .base import ServiceErrorForm

BACK_TO = ("intake", "suggestions")
"""The pages a scope button may return to."""


class OutOfScopeForm(ServiceErrorForm):
    """Why a submission is outside the partnership's scope."""

    reason = TextAreaField(
        "Why is this submission out of scope?", widget=GovTextArea(),
        description="For example: not about treatment; about how services are organised. "
                    "The reason is kept in the study's record and in the published trail.",
        validators=[InputRequired(message="Enter why this submission is out of scope"),
                    Length(max=MAX_REASON_LENGTH,
                           message=f"The reason must be {MAX_REASON_LENGTH:,} characters or "
                                   "fewer")],
    )
    submit = SubmitField("Mark out of scope", widget=GovSubmitInput())


class InScopeForm(FlaskForm):
    """Put a submission back in scope; ``back`` is the page to return to."""

    back = HiddenField(default="intake", validators=[AnyOf(BACK_TO)])


class RespondentForm(ServiceErrorForm):
    """Who sent a submission: the respondent type and, if any, the organisation."""

    respondent_type = StringField(
        "Respondent type", widget=GovTextInput(),
        description="For example Patient, Carer, Health or care professional, Organisation. "
                    "It starts as the participant's stakeholder group.",
        validators=[InputRequired(message="Enter the respondent type, for example Patient or "
                                          "Carer"),
                    Length(max=MAX_TYPE_LENGTH,
                           message=f"The respondent type must be {MAX_TYPE_LENGTH} characters "
                                   "or fewer")],
    )
    organisation = StringField(
        "Organisation (optional)", widget=GovTextInput(),
        description="All submissions naming the same organisation count as one respondent.",
        validators=[Length(max=MAX_ORGANISATION_LENGTH,
                           message=f"The organisation must be {MAX_ORGANISATION_LENGTH} "
                                   "characters or fewer")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class EvidenceForm(ServiceErrorForm):
    """What a check of existing research found for an indicative question, and its source."""

    status = RadioField(
        "Has research already answered this question?", widget=GovRadioInput(),
        choices=[SelectChoice(status.value, EVIDENCE_WORDS[status])
                 for status in EvidenceStatus],
        validate_choice=False,  # the service names an unknown status in plain words
        validators=[InputRequired(message="Choose whether research has answered the question")],
    )
    note = TextAreaField(
        "Source", widget=GovTextArea(),
        description="Where the answer is, for example a systematic review (authors, year, "
                    "reference). Needed unless the question is unanswered.",
        validators=[Length(max=MAX_NOTE_LENGTH,
                           message=f"The note must be {MAX_NOTE_LENGTH:,} characters or fewer")],
    )
    submit = SubmitField("Save the evidence check", widget=GovSubmitInput())
