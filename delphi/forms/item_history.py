"""Forms for changing items with their history kept: reword, typo fix, change of meaning,
merge, split and retire."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import HiddenField, RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from .base import ServiceErrorForm
from .items import STATEMENT_LENGTH

REASON_LENGTH = Length(max=1000, message="The reason must be 1,000 characters or fewer")


def _text(label: str, description: str = "") -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=description,
                         validators=[InputRequired(message="Enter the new wording"),
                                     STATEMENT_LENGTH])


def _reason(label: str) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(),
                         description="Kept in the item's history for the study's report.",
                         validators=[InputRequired(message="Enter the reason"),
                                     REASON_LENGTH])


class _ItemChangeForm(ServiceErrorForm):
    """A form changing an item: shows service errors by field, reads the loaded version."""

    def version_value(self) -> int:
        """The item version the form was loaded at (0 if missing, which never matches)."""
        value = self.version.data or ""
        return int(value) if value.isdigit() else 0


class RewordForm(_ItemChangeForm):
    """New wording between rounds, kept as a new version with its reason."""

    text = _text("New wording")
    reason = _reason("Why is the wording changing?")
    version = HiddenField(validators=[Optional(), Regexp(r"^\d+$")])
    submit = SubmitField("Save the new version", widget=GovSubmitInput())


class TypoForm(_ItemChangeForm):
    """A corrected spelling while a round is open; no new version."""

    text = _text("Corrected wording",
                 "Only correct spelling or punctuation; a change of meaning is recorded "
                 "separately.")
    version = HiddenField(validators=[Optional(), Regexp(r"^\d+$")])
    submit = SubmitField("Fix the typo", widget=GovSubmitInput())


class ChangeMeaningForm(_ItemChangeForm):
    """A new meaning while a round is open: a new version, and a request to answer again."""

    text = _text("New wording")
    reason = _reason("Why is the meaning changing?")
    version = HiddenField(validators=[Optional(), Regexp(r"^\d+$")])
    submit = SubmitField("Save and ask participants to answer again",
                         widget=GovSubmitInput())


class MergeForm(_ItemChangeForm):
    """The items to merge with this one, and whether to keep it or make a new item."""

    others = SelectMultipleField(
        "Which items say the same as this one?",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[InputRequired(message="Choose at least one other item to merge")],
    )
    outcome = RadioField(
        "What should the merged item be?",
        widget=GovRadioInput(),
        choices=[SelectChoice("keep", "Keep this item (its history continues)"),
                 SelectChoice("new", "A new item with the wording below")],
        default="keep",
        validators=[InputRequired(message="Choose what the merged item should be")],
    )
    text = TextAreaField(
        "Wording of the merged item",
        widget=GovTextArea(),
        description="Needed for a new item; for a kept item, leave it as it is or change it "
                    "(a new version).",
        validators=[STATEMENT_LENGTH],
    )
    reason = _reason("Why are these items merged?")
    submit = SubmitField("Merge the items", widget=GovSubmitInput())


class SplitForm(_ItemChangeForm):
    """The statements an item is split into, one on each line."""

    texts = TextAreaField(
        "New statements, one on each line",
        widget=GovTextArea(),
        description="At least two. This item is retired and each new item links back to it.",
        validators=[InputRequired(message="Enter at least two statements, one on each line"),
                    Length(max=10000, message="Enter 10,000 characters or fewer")],
    )
    reason = _reason("Why is the item split?")
    submit = SubmitField("Split the item", widget=GovSubmitInput())

    def statement_list(self) -> list[str]:
        """The statements typed, one per non-blank line."""
        return [line.strip() for line in (self.texts.data or "").splitlines() if line.strip()]


class RetireForm(_ItemChangeForm):
    """The reason for no longer using an item."""

    reason = _reason("Why is the item retired?")
    submit = SubmitField("Retire the item", widget=GovSubmitInput())
