"""Forms of the final workshop's pages: a new session and its small groups, the lead's link,
closing a session, and the room's order for items tied at the top-10 boundary.

The small groups' rankings are typed on a form of their own (``templates/workshop/
_ranking_form.html``), checked by :func:`delphi.services.workshop.enter_ranking`.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

MAX_GROUPS = 8
"""Rows for small groups on the new session's form (a room usually splits into 3 or 4)."""

MIN_GROUPS = 2
"""A session needs at least two groups (the workshop service's rule, checked early here)."""

DEFAULT_GROUPS = ("Group A", "Group B", "Group C", "Group D")


class ConfirmForm(FlaskForm):
    """A confirmation button (set up the workshop, close a session)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class LeadLinkForm(FlaskForm):
    """Create a group lead's private link; ``replace`` is set on the page that warns that an
    earlier link stops working."""

    replace = HiddenField(default="")
    submit = SubmitField("Create the link", widget=GovSubmitInput())

    @property
    def confirms_replacing(self) -> bool:
        return self.replace.data == "yes"


class SessionForm(FlaskForm):
    """A new session: its name and its small groups (a name and, optionally, who sat in it)."""

    name = StringField(
        "Session name", widget=GovTextInput(),
        description="For example, Morning session or Session 2, new groups.",
        validators=[InputRequired(message="Enter a name for the session"),
                    Length(max=200, message="Keep the session name to 200 characters or "
                                            "fewer")],
    )
    submit = SubmitField("Add the session", widget=GovSubmitInput())

    def rows(self) -> list[tuple[StringField, StringField]]:
        """Each group row's name and composition fields, in order."""
        return [(self[f"group_{i}"], self[f"composition_{i}"])
                for i in range(1, MAX_GROUPS + 1)]

    def groups(self) -> list[tuple[str, str]]:
        """The groups typed: (name, composition) for each row with a name, in order."""
        return [(name.data.strip(), (composition.data or "").strip())
                for name, composition in self.rows() if (name.data or "").strip()]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        seen: dict[str, int] = {}
        for index, (name, composition) in enumerate(self.rows(), start=1):
            typed = (name.data or "").strip()
            if not typed:
                if (composition.data or "").strip():
                    name.errors = [*name.errors, f"Enter a name for group {index}, or clear "
                                                 "who sat in it"]
                    valid = False
                continue
            if typed.casefold() in seen:
                name.errors = [*name.errors, f"Group {index} has the same name as group "
                                             f"{seen[typed.casefold()]}: give each group its "
                                             "own name"]
                valid = False
            seen.setdefault(typed.casefold(), index)
        if len(seen) < MIN_GROUPS and valid:
            first_empty = next(name for name, _ in self.rows() if not (name.data or "").strip())
            first_empty.errors = [*first_empty.errors, "Enter the names of at least two groups"]
            valid = False
        return valid


for _index in range(1, MAX_GROUPS + 1):
    setattr(SessionForm, f"group_{_index}", StringField(
        f"Group {_index}: name", widget=GovTextInput(),
        validators=[Length(max=100, message=f"Keep the name of group {_index} to 100 "
                                            "characters or fewer")],
    ))
    setattr(SessionForm, f"composition_{_index}", StringField(
        f"Group {_index}: who sat in it (optional)", widget=GovTextInput(),
        description="For example, 2 patients, 2 carers, 3 clinicians.",
        validators=[Length(max=300, message=f"Keep who sat in group {_index} to 300 "
                                            "characters or fewer")],
    ))


def new_session_form(number: int) -> SessionForm:
    """The new session's form as first shown: "Session <number>", groups A to D."""
    names = {f"group_{index}": name for index, name in enumerate(DEFAULT_GROUPS, start=1)}
    return SessionForm(name=f"Session {number}", **names)


class OrderForm(FlaskForm):
    """The room's order for the items tied at the top-10 boundary, with the reason.

    Made for one tie by :func:`order_form`: one place field per tied item, named
    ``place_<item id>``, offering the places the tied items share.
    """

    reason = TextAreaField(
        "Why this order?", widget=GovTextArea(),
        description="For example, the room voted 14 to 9 after discussion. It is kept with "
                    "the result, for the record.",
        validators=[InputRequired(message="Enter why the room chose this order"),
                    Length(max=2000, message="Keep the reason to 2,000 characters or fewer")],
    )
    submit = SubmitField("Record the room's order", widget=GovSubmitInput())

    item_ids: tuple[int, ...] = ()
    first_place: int = 1

    def place_fields(self) -> list[SelectField]:
        return [self[f"place_{item_id}"] for item_id in self.item_ids]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        taken: dict[str, SelectField] = {}
        for field in self.place_fields():
            if field.errors or not field.data:
                continue
            if field.data in taken:
                field.errors = [*field.errors, f"Place {field.data} is given to two questions: "
                                               "give each place to one question only"]
                valid = False
            taken.setdefault(field.data, field)
        return valid

    def ordered(self, order: Sequence[int]) -> list[int]:
        """``order`` (item ids, top first) with the tied items put in the places chosen."""
        chosen = sorted(self.item_ids, key=lambda item_id: int(self[f"place_{item_id}"].data))
        tied = set(self.item_ids)
        rest = iter(chosen)
        return [next(rest) if item_id in tied else item_id for item_id in order]


def order_form(tied: Sequence[tuple[int, str]], first_place: int, **kwargs) -> OrderForm:
    """An :class:`OrderForm` for the tied items ``tied`` ((item id, label) in their current
    order), which share the places from ``first_place`` on."""
    places = [str(first_place + offset) for offset in range(len(tied))]
    fields = {
        f"place_{item_id}": SelectField(
            f"Place for {label}", widget=GovSelect(),
            choices=[SelectChoice("", "Choose a place"),
                     *(SelectChoice(place, place) for place in places)],
            default=places[index],
            validators=[InputRequired(message=f"Choose a place for {label}")],
        )
        for index, (item_id, label) in enumerate(tied)
    }
    form_class = type("TiedOrderForm", (OrderForm,), {
        **fields, "item_ids": tuple(item_id for item_id, _label in tied),
        "first_place": first_place,
    })
    return form_class(**kwargs)
