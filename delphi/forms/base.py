"""What every form that shows a service's error beside a field shares."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ServiceErrorForm(FlaskForm):
    """A form that can show a service's error beside the field the error names."""

    def show_error(self, error) -> bool:
        """Put ``error`` beside the field named by its ``field``; False if it names none here."""
        field = getattr(self, getattr(error, "field", None) or "", None)
        if field is None:
            return False
        field.errors = [*field.errors, str(error)]
        return True
