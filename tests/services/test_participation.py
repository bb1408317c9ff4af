"""The one definition of participation, checked against hand-counted seeded rows."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from delphi.extensions import db as _db
from delphi.models import ParticipantStatus, Round, RoundParticipation
from delphi.services.participation import (
    non_completers,
    participation_summary,
    record_completed,
    record_invited,
    record_started,
)

from ..factories import make_participant, make_study, make_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _row(round_, participant, invited=True, started=False, completed=False):
    _db.session.add(RoundParticipation(
        round=round_, participant=participant,
        invited_at=T0 if invited else None,
        started_at=T0 + timedelta(hours=1) if started else None,
        completed_at=T0 + timedelta(hours=2) if completed else None,
    ))


@pytest.fixture
def panel(db):
    """Two rounds of a study, hand-counted (group C, the doctors, has nobody).

    Round 1: A1 A2 complete, A3 starts only, A4 is invited only; B1 B2 complete.
    Round 2: A1 completes, A2 is invited only, A3 invited only; B1 completes; B2 withdrew
    after round 1 (no round 2 row). Test participant T completes both rounds and must not
    count; a participant of another study must not count either.
    """
    study = make_study(owner=make_user())
    patients, nurses, _doctors = study.groups
    round1 = study.rounds[0]
    round2 = Round(study=study, number=2)
    _db.session.add(round2)
    people = {name: make_participant(study, group=patients, pseudonym=name)
              for name in ("A1", "A2", "A3", "A4")}
    people |= {name: make_participant(study, group=nurses, pseudonym=name)
               for name in ("B1", "B2")}
    tester = make_participant(study, group=patients, pseudonym="T-TEST")
    tester.is_test = True
    people["B2"].status = ParticipantStatus.WITHDRAWN
    people["B2"].withdrawn_at = T0 + timedelta(days=3)
    _row(round1, people["A1"], started=True, completed=True)
    _row(round1, people["A2"], started=True, completed=True)
    _row(round1, people["A3"], started=True)
    _row(round1, people["A4"])
    _row(round1, people["B1"], started=True, completed=True)
    _row(round1, people["B2"], started=True, completed=True)
    _row(round1, tester, started=True, completed=True)
    _row(round2, people["A1"], started=True, completed=True)
    _row(round2, people["A2"])
    _row(round2, people["A3"])
    _row(round2, people["B1"], started=True, completed=True)
    _row(round2, tester, started=True, completed=True)
    other = make_study(owner=make_user(email="other@example.test"), title="Another study")
    stranger = make_participant(other, group=other.groups[0], pseudonym="A1")
    _row(other.rounds[0], stranger, started=True, completed=True)
    _db.session.commit()
    return study, round1, round2, people


def test_round_one_counts_per_group_and_overall(panel):
    study, round1, _round2, _people = panel
    patients, nurses, doctors = study.groups
    summary = participation_summary(study).for_round(round1)
    assert summary.number == 1
    a, b, c = (summary.for_group(group) for group in (patients, nurses, doctors))
    assert (a.invited, a.started, a.completed) == (4, 3, 2)
    assert (b.invited, b.started, b.completed) == (2, 2, 2)
    assert (c.invited, c.started, c.completed) == (0, 0, 0)
    overall = summary.overall
    assert (overall.invited, overall.started, overall.completed) == (6, 5, 4)
    assert overall.took_part == 4
    assert overall.response_rate == pytest.approx(4 / 6)
    assert a.response_rate == pytest.approx(0.5)
    assert c.response_rate is None  # nobody invited: no division error
    assert overall.attrition == 0 and overall.completed_first_round == 4


def test_round_two_counts_and_attrition(panel):
    study, _round1, round2, _people = panel
    patients, nurses, doctors = study.groups
    summary = participation_summary(study).for_round(2)
    a, b, c = (summary.for_group(group.id) for group in (patients, nurses, doctors))
    assert (a.invited, a.started, a.completed) == (3, 1, 1)
    assert (b.invited, b.started, b.completed) == (1, 1, 1)
    assert (summary.overall.invited, summary.overall.completed) == (4, 2)
    assert summary.overall.response_rate == pytest.approx(0.5)
    # Completed round 1 but not round 2: A2 (patients) and B2 (nurses, withdrawn).
    assert (a.completed_first_round, a.attrition) == (2, 1)
    assert (b.completed_first_round, b.attrition) == (2, 1)
    assert (c.completed_first_round, c.attrition, c.attrition_rate) == (0, 0, None)
    assert summary.overall.attrition == 2
    assert summary.overall.attrition_rate == pytest.approx(0.5)


def test_a_round_nobody_was_invited_to_yet(panel):
    study, *_ = panel
    round3 = Round(study=study, number=3)
    _db.session.add(round3)
    _db.session.commit()
    summary = participation_summary(study)
    assert [entry.number for entry in summary.rounds] == [1, 2, 3]
    third = summary.for_round(round3).overall
    assert (third.invited, third.completed, third.response_rate) == (0, 0, None)
    assert (third.completed_first_round, third.attrition) == (4, 4)


def test_one_round_only_and_unknown_round(panel):
    study, _round1, round2, _people = panel
    summary = participation_summary(study, round2)
    assert [entry.number for entry in summary.rounds] == [2]
    with pytest.raises(KeyError):
        summary.for_round(1)


def test_summary_of_a_study_without_participants(db):
    study = make_study(owner=make_user())
    summary = participation_summary(study)
    overall = summary.for_round(1).overall
    assert (overall.invited, overall.completed, overall.response_rate) == (0, 0, None)
    assert set(summary.for_round(1).groups) == {group.id for group in study.groups}


def _statements_for_summary(study) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    _db.session.expire_all()
    engine = _db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        participation_summary(study)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_summary_queries_do_not_grow_with_the_panel(panel):
    study, round1, round2, _people = panel
    before = _statements_for_summary(study)
    for number in range(20):
        participant = make_participant(study, group=study.groups[2], pseudonym=f"C{number}")
        _row(round1, participant, started=True, completed=True)
        _row(round2, participant, started=True)
    _db.session.commit()
    assert _statements_for_summary(study) == before
    assert participation_summary(study).for_round(2).for_group(study.groups[2]).attrition == 20


def test_non_completers_leave_out_completed_withdrawn_and_test(panel):
    _study, round1, round2, _people = panel
    assert [p.pseudonym for p in non_completers(round2)] == ["A2", "A3"]
    assert [p.pseudonym for p in non_completers(round2, invited_only=False)] == [
        "A2", "A3", "A4"]
    assert [p.pseudonym for p in non_completers(round1)] == ["A3", "A4"]


def test_non_completers_keep_those_who_stopped_reminders(panel):
    _study, _round1, round2, people = panel
    people["A2"].reminders_stopped = True
    _db.session.commit()
    assert "A2" in [p.pseudonym for p in non_completers(round2)]


def test_recording_progress_sets_each_time_once(db):
    study = make_study(owner=make_user())
    participant = make_participant(study)
    round1 = study.rounds[0]
    later = T0 + timedelta(days=1)
    row = record_invited(participant, round1, at=T0)
    _db.session.commit()
    assert record_invited(participant, round1, at=later) is row
    assert row.invited_at == T0
    record_completed(participant, round1, at=later)
    _db.session.commit()
    assert (row.started_at, row.completed_at) == (later, later)
    record_started(participant, round1, at=later + timedelta(days=1))
    assert row.started_at == later
    overall = participation_summary(study).for_round(1).overall
    assert (overall.invited, overall.started, overall.completed) == (1, 1, 1)
