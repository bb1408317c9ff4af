"""Reading the audit trail: filtered, paged, and exported as safe CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from delphi.extensions import db as _db
from delphi.models import AuditEvent
from delphi.services import audit

from ..factories import make_study, make_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def trail(db):
    """Five events in the study (oldest first), one by nobody, one in another study."""
    owner = make_user(name="Fran Facilitator")
    nameless = make_user(email="nameless@example.test", name="")
    study = make_study(owner=owner)
    other = make_study(owner=owner, title="Another study")
    for minutes, (user, action, target, details) in enumerate([
        (owner, "participant.added", "P-AAAAAA", {"group": "Nurses"}),
        (owner, "participant.added", "P-BBBBBB", {"group": "Doctors"}),
        (nameless, "participant.contact_revealed", "P-AAAAAA", {}),
        (None, "participant.withdrawn", "P-BBBBBB", {"policy": "keep", "removed": 0}),
        (owner, "item.edited", "=HYPERLINK(\"http://evil.example\")", {"note": "+1, \"quoted\""}),
    ]):
        event = audit.record(study, user, action, target, **details)
        event.created_at = T0 + timedelta(minutes=minutes)
    audit.record(other, owner, "participant.added", "P-CCCCCC")
    _db.session.commit()
    return study


def test_events_newest_first_with_who(trail):
    page = audit.events_page(trail)
    assert (page.total, page.page, page.pages) == (5, 1, 1)
    assert [entry.event.action for entry in page.entries] == [
        "item.edited", "participant.withdrawn", "participant.contact_revealed",
        "participant.added", "participant.added"]
    assert [entry.who for entry in page.entries] == [
        "Fran Facilitator", "", "nameless@example.test", "Fran Facilitator", "Fran Facilitator"]
    assert page.entries[1].details_text == "policy: keep; removed: 0"


def test_filter_by_action_and_list_actions(trail):
    page = audit.events_page(trail, action="participant.added")
    assert [entry.event.target for entry in page.entries] == ["P-BBBBBB", "P-AAAAAA"]
    assert audit.actions_in(trail) == [
        "item.edited", "participant.added", "participant.contact_revealed",
        "participant.withdrawn"]
    assert audit.events_page(trail, action="nothing.like.this").total == 0


def test_pages_and_a_page_past_the_end(trail):
    first = audit.events_page(trail, per_page=2)
    assert (first.pages, len(first.entries)) == (3, 2)
    last = audit.events_page(trail, page=99, per_page=2)
    assert (last.page, [e.event.target for e in last.entries]) == (3, ["P-AAAAAA"])
    assert audit.events_page(trail, page=-4, per_page=2).page == 1


def test_csv_export_is_escaped_and_safe_for_spreadsheets(trail):
    text = audit.events_csv(trail)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["When (UTC)", "Who", "Action", "Target", "Details"]
    assert len(rows) == 6
    assert rows[1] == ["2026-03-02 09:04:00", "Fran Facilitator", "item.edited",
                       "'=HYPERLINK(\"http://evil.example\")", "note: +1, \"quoted\""]
    assert rows[2][1] == ""  # nobody signed in
    only = list(csv.reader(io.StringIO(audit.events_csv(trail, "participant.withdrawn"))))
    assert len(only) == 2


@pytest.mark.parametrize("value, expected", [
    ("=1+2", "'=1+2"), ("+44 20", "'+44 20"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("plain", "plain"), (None, ""), (7, "7"), ("a=b", "a=b"),
])
def test_spreadsheet_safe(value, expected):
    assert audit.spreadsheet_safe(value) == expected


def test_the_study_of_other_events_is_kept_apart(trail):
    assert _db.session.query(AuditEvent).count() == 6
    assert audit.events_page(trail).total == 5
