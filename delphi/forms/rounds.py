"""Forms for running the rounds: open, close date, close, reopen, publish, prepare the next
round and change a draft's items. Dates and times are UK (Europe/London) time."""

from __future__ import annotations

from datetime import datetime, time

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
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from .design import OptionalDate

TIME_PATTERN = r"^\s*([01]?\d|2[0-3]):[0-5]\d\s*$"
DATE_HINT = "For example, 27 3 2026. UK time."
REASON_LENGTH = Length(max=2000, message="Keep the reason to 2,000 characters or fewer")


class UKDateField(DateField):
    """A day, month and year in three boxes; missing boxes read as blank ones."""

    def process_formdata(self, valuelist):
        if len(valuelist) != 3:
            self.raw_data = ["", "", ""]
            return
        super().process_formdata(valuelist)


class CloseDateFields:
    """A close date and time; :meth:`local_close` joins them (UK wall-clock time)."""

    def local_close(self) -> datetime | None:
        """The date and time entered, without a time zone; None when no date was given."""
        if self.closes_on.data is None:
            return None
        hours, minutes = (int(part) for part in self.closes_time.data.strip().split(":"))
        return datetime.combine(self.closes_on.data, time(hours, minutes))


def _close_date(label: str, required: bool):
    validators = ([InputRequired(message="Enter the date the round closes, like 27 3 2026")]
                  if required else [OptionalDate()])
    return UKDateField(label, widget=GovDateInput(), format="%d %m %Y", description=DATE_HINT,
                     invalid_value_message="Enter a real date, like 27 3 2026",
                     validators=validators)


def _close_time():
    return StringField(
        "Time it closes", widget=GovTextInput(), default="17:00",
        description="24-hour clock, UK time. For example, 17:00.",
        validators=[InputRequired(message="Enter the time the round closes, like 17:00"),
                    Regexp(TIME_PATTERN, message="Enter a time on the 24-hour clock, like 17:00")],
    )


class OpenRoundForm(CloseDateFields, FlaskForm):
    """Open a draft round, with an optional close date."""

    closes_on = _close_date("Close date (optional)", required=False)
    closes_time = _close_time()
    submit = SubmitField("Open round", widget=GovSubmitInput())


class ExtendRoundForm(CloseDateFields, FlaskForm):
    """A new, later close date for an open round."""

    closes_on = _close_date("New close date", required=True)
    closes_time = _close_time()
    submit = SubmitField("Change close date", widget=GovSubmitInput())


class ReopenRoundForm(CloseDateFields, FlaskForm):
    """Reopen a closed round once, with a reason and an optional close date."""

    reason = TextAreaField(
        "Why are you reopening the round?", widget=GovTextArea(),
        description="Kept in the study's record and shown in the report.",
        validators=[InputRequired(message="Enter why you are reopening the round"),
                    REASON_LENGTH],
    )
    closes_on = _close_date("New close date (optional)", required=False)
    closes_time = _close_time()
    submit = SubmitField("Reopen round", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A confirmation button (add a round, close a round)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class PublishRoundForm(FlaskForm):
    """Publish a closed round; optionally with no comments shown."""

    no_comments = BooleanField(
        "Show no comments this round",
        description="Participants and the steering group then see no comments from this "
                    "round, reviewed or not.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Publish round", widget=GovSubmitInput())


class PrepareRoundForm(FlaskForm):
    """Draft the next round by the study's carry-forward policy."""

    consensus = RadioField(
        "Items that reached consensus", widget=GovRadioInput(), default="retire",
        choices=[SelectChoice("retire", "Retire them: they are not rated again"),
                 SelectChoice("keep", "Keep them for confirmation: participants rate them "
                                      "again")],
        validators=[InputRequired(message="Choose what happens to items that reached "
                                          "consensus")],
    )
    submit = SubmitField("Prepare round", widget=GovSubmitInput())


class AddItemForm(FlaskForm):
    """Put an item into a draft round, with a reason; :meth:`offer` lists the items."""

    item = SelectField(
        "Item", choices=[], widget=GovSelect(),
        validators=[InputRequired(message="Choose the item to add")],
    )
    reason = TextAreaField(
        "Why add it?", widget=GovTextArea(),
        description="Kept in the study's record and shown in the report.",
        validators=[InputRequired(message="Enter why you are adding the item"), REASON_LENGTH],
    )
    submit = SubmitField("Add item", widget=GovSubmitInput())

    def offer(self, items) -> AddItemForm:
        """List ``items`` (their current wording) as the choices."""
        self.item.choices = [SelectChoice("", "Choose an item")] + [
            SelectChoice(str(item.id), _short(item.current.text)) for item in items
        ]
        return self


class RemoveItemForm(FlaskForm):
    """Take an item out of a draft round, with a reason."""

    reason = TextAreaField(
        "Why remove it?", widget=GovTextArea(),
        description="Kept in the study's record and shown in the report.",
        validators=[InputRequired(message="Enter why you are removing the item"),
                    REASON_LENGTH],
    )
    submit = SubmitField("Remove item", widget=GovSubmitInput())


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
