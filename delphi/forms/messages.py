"""Forms for the messages page (invite, remind, schedule, retry, new link) and the participant's
stop-reminders page. Each is a button or a short field; the services check the rules."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length


class InviteForm(FlaskForm):
    """Invite everyone not yet invited to the open round."""

    include_test = BooleanField(
        "Also invite test participants (their answers never count)", widget=GovCheckboxInput(),
    )
    everyone = BooleanField(
        "Also invite participants who did not take part in the previous round",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Invite participants", widget=GovSubmitInput())


class RemindForm(FlaskForm):
    """Send reminders now to everyone who has not completed the open round."""

    submit = SubmitField("Send reminders now", widget=GovSubmitInput())


class ScheduleForm(FlaskForm):
    """Days after the round opened to send reminders, like ``7, 12``."""

    days = StringField(
        "Days after the round opened", widget=GovTextInput(), default="7, 12",
        description="Whole numbers separated by commas. For example, 7, 12 sends reminders "
                    "a week and 12 days after the round opened.",
        validators=[InputRequired(message="Enter the days after opening to send reminders, "
                                          "like 7, 12"),
                    Length(max=100, message="Enter at most a few days, like 7, 12")],
    )
    submit = SubmitField("Schedule reminders", widget=GovSubmitInput())


class CancelReminderForm(FlaskForm):
    """Cancel one scheduled reminder."""

    submit = SubmitField("Cancel", widget=GovSubmitInput())


class RetryForm(FlaskForm):
    """Queue the failed messages again."""

    submit = SubmitField("Try failed messages again", widget=GovSubmitInput())


class NewLinkForm(FlaskForm):
    """Issue one participant a new private link; :meth:`offer` lists the participants."""

    participant = SelectField(
        "Participant", choices=[], widget=GovSelect(),
        description="Their earlier links stop working at once.",
        validators=[InputRequired(message="Choose the participant who needs a new link")],
    )
    submit = SubmitField("Issue a new link", widget=GovSubmitInput())

    def offer(self, participants) -> "NewLinkForm":
        """List ``participants`` (pseudonym and reference) as the choices."""
        self.participant.choices = [SelectChoice("", "Choose a participant")] + [
            SelectChoice(str(p.id), p.pseudonym + (f" ({p.reference})" if p.reference else ""))
            for p in participants
        ]
        return self


class StopRemindersForm(FlaskForm):
    """A participant confirms they want no more reminders."""

    submit = SubmitField("Stop reminders", widget=GovSubmitInput())
