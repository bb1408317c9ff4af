"""Forms for a study's items: add or edit one, move, rename a domain, delete, retire, import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from ..models import ResponseType
from .base import ServiceErrorForm

RESPONSE_TYPE_CHOICES = [
    SelectChoice(ResponseType.SCALE.value, "A statement rated on the study's scale"),
    SelectChoice(ResponseType.SINGLE_CHOICE.value, "A question with options: choose one"),
    SelectChoice(ResponseType.CHOOSE_UP_TO_K.value,
                 "A question with options: choose up to a number"),
    SelectChoice(ResponseType.OPEN_TEXT.value, "An open question answered in words"),
]


STATEMENT_LENGTH = Length(max=1000, message="The statement must be 1,000 characters or fewer")


def statement_field(label: str, description: str, required_message: str) -> TextAreaField:
    """A required item wording of at most 1,000 characters."""
    return TextAreaField(label, widget=GovTextArea(), description=description,
                         validators=[InputRequired(message=required_message), STATEMENT_LENGTH])


def explanation_field(description: str = "") -> TextAreaField:
    """The optional explanatory note shown under an item, at most 2,000 characters."""
    return TextAreaField(
        "Explanatory note (optional)", widget=GovTextArea(), description=description,
        validators=[Length(max=2000, message="The note must be 2,000 characters or fewer")],
    )


class ItemForm(ServiceErrorForm):
    """One item's wording, domain and response type; ``version`` is the one it was loaded at."""

    text = statement_field(
        "Statement or question",
        "What participants rate or answer, in plain English.",
        "Enter the statement or question",
    )
    explanation = explanation_field(
        "Shown under the statement, for example to explain a medical term."
    )
    domain = StringField(
        "Domain (optional)",
        widget=GovTextInput(),
        description="Items with the same domain are listed together, for example “Mobility”.",
        validators=[Length(max=200, message="The domain must be 200 characters or fewer")],
    )
    response_type = RadioField(
        "How do participants answer?",
        widget=GovRadioInput(),
        choices=RESPONSE_TYPE_CHOICES,
        default=ResponseType.SCALE.value,
    )
    options = TextAreaField(
        "Options, one on each line",
        widget=GovTextArea(),
        description="Only for questions with options; leave empty for the other types.",
    )
    max_choices = StringField(
        "Most options a participant may choose",
        widget=GovTextInput(),
        description="Only for “choose up to a number” questions, for example 3.",
        validators=[
            Optional(),
            Regexp(r"^\s*\d{1,3}\s*$",
                   message="Enter the number of options a participant may choose, like 3"),
        ],
    )
    reason = TextAreaField(
        "Why is the wording changing?",
        widget=GovTextArea(),
        description="Kept with the new version in the study's record.",
        validators=[Length(max=1000, message="The reason must be 1,000 characters or fewer")],
    )
    version = HiddenField(validators=[Optional(), Regexp(r"^\d+$")])
    submit = SubmitField("Save item", widget=GovSubmitInput())

    def option_list(self) -> list[str]:
        """The options typed, one per non-blank line."""
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def max_choices_value(self) -> int | None:
        """The number to choose as an integer, or None when left empty."""
        value = (self.max_choices.data or "").strip()
        return int(value) if value else None

    def version_value(self) -> int:
        """The item version the form was loaded at (0 if missing, which never matches)."""
        return int(self.version.data) if (self.version.data or "").isdigit() else 0

    def load(self, item) -> None:
        """Fill the form from a saved item."""
        self.text.data = item.current.text
        self.explanation.data = item.current.explanation
        self.domain.data = item.domain
        self.response_type.data = item.response_type.value
        self.options.data = "\n".join(item.options or [])
        self.max_choices.data = "" if item.max_choices is None else str(item.max_choices)
        self.version.data = str(item.version)


class MoveForm(FlaskForm):
    """Move an item or a domain one place; the pressed button's value says which way."""

    direction = HiddenField(validators=[InputRequired(), Regexp(r"^(up|down)$")])


class RenameDomainForm(FlaskForm):
    """A domain's new name; every item in the domain takes it."""

    name = StringField(
        "New name for the domain",
        widget=GovTextInput(),
        description="If another domain already has this name, the items join it.",
        validators=[
            InputRequired(message="Enter the domain's new name"),
            Length(max=200, message="The domain must be 200 characters or fewer"),
        ],
    )
    submit = SubmitField("Rename domain", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A confirmation button for a step that cannot be undone (its label set per page)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ImportUploadForm(FlaskForm):
    """The CSV or XLSX file of statements to preview."""

    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="A CSV (.csv) or Excel (.xlsx) file with the columns statement, domain and "
                    "explanatory note.",
        validators=[FileRequired(message="Choose a CSV or Excel file to upload")],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ImportConfirmForm(FlaskForm):
    """Carries the signed rows of a clean preview to the step that creates them."""

    payload = HiddenField(validators=[InputRequired(message="Upload the file again")])
    submit = SubmitField("Create these items", widget=GovSubmitInput())
