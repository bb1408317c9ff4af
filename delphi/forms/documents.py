"""Forms for participant documents: editing a version's wording, sending a test."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

# Limits match delphi.services.documents; the service checks them again with the reasons.
MAX_SUBJECT = 300
MAX_LABEL = 64
MAX_BODY = 50_000
MAX_STATEMENT = 2_000
MAX_STATEMENT_ROWS = 30


class StatementForm(Form):
    """One consent statement; ``key`` keeps its identity when the wording changes."""

    key = HiddenField(validators=[Optional(), Length(max=40)])
    text = TextAreaField(
        "Statement",
        widget=GovTextArea(),
        validators=[Length(max=MAX_STATEMENT,
                           message=f"A statement can be at most {MAX_STATEMENT} characters")],
    )
    required = BooleanField(
        "Participants must agree to this to take part", widget=GovCheckboxInput()
    )


class DocumentForm(FlaskForm):
    """A document's wording; saving it makes a new version."""

    label = StringField(
        "Version label (optional)",
        description=(
            "For example the version and date your research ethics committee approved, "
            "like “Version 2.1, 4 March 2026”."
        ),
        widget=GovTextInput(),
        validators=[Length(max=MAX_LABEL,
                           message=f"A version label can be at most {MAX_LABEL} characters")],
    )
    subject = StringField(
        "Subject line",
        widget=GovTextInput(),
        validators=[Length(max=MAX_SUBJECT,
                           message=f"This can be at most {MAX_SUBJECT} characters")],
    )
    body = TextAreaField(
        "Text",
        description=(
            "Leave a blank line between paragraphs. Start a line with “## ” for a heading "
            "and with “- ” for a bullet point. Put placeholders in curly brackets."
        ),
        widget=GovTextArea(),
        validators=[Length(max=MAX_BODY,
                           message=f"The text can be at most {MAX_BODY} characters")],
    )
    statements = FieldList(FormField(StatementForm), max_entries=MAX_STATEMENT_ROWS)
    add_statement = SubmitField("Add another statement", widget=GovSubmitInput())
    submit = SubmitField("Save as a new version", widget=GovSubmitInput())
    preview = SubmitField("Preview changes", widget=GovSubmitInput())


class SendTestForm(FlaskForm):
    """Sends the current version, with example values, to the signed-in user."""

    submit = SubmitField("Send a test to me", widget=GovSubmitInput())
