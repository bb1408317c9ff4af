"""The uncertainty intake: scope, who sent each submission, counting respondents (one per
organisation), the evidence check, the interim survey leaving out answered questions, and
the trail from each submission to the final top 10."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from delphi.errors import StateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    AuditEvent,
    EvidenceStatus,
    ModerationState,
    Participant,
    Ranking,
    RoundKind,
    RoundState,
    StudyKind,
    Suggestion,
)
from delphi.services import (
    exports,
    intake,
    priority_exports,
    ranking_results,
    rounds,
    suggestions,
    workshop,
)
from delphi.services.intake import IntakeError

from ..factories import make_participant, make_study, make_user
from .test_exports import read_csv, read_xlsx

GROUPS = ("Patients", "Carers", "Clinicians")


def jla_study(owner):
    """A priority-setting study whose round 1 (published) asked open questions."""
    study = make_study(owner=owner, title="Hip fracture priorities", groups=GROUPS, n_items=0)
    study.kind = StudyKind.PRIORITY_SETTING
    study.rounds[0].kind = RoundKind.OPEN_QUESTIONS
    study.rounds[0].state = RoundState.PUBLISHED
    _db.session.commit()
    return study


def submit(study, text, participant=None, group=0):
    entry = Suggestion(participant=participant or make_participant(study,
                                                                   group=study.groups[group]),
                       round=study.rounds[0], original_text=text, shown_text="",
                       moderation_state=ModerationState.PENDING)
    _db.session.add(entry)
    _db.session.commit()
    return entry


def audit_actions(study):
    return list(_db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.study_id == study.id,
                                        AuditEvent.action.startswith("intake."))
        .order_by(AuditEvent.id)))


def fresh(entry):
    _db.session.expire_all()
    return _db.session.get(type(entry), entry.id)


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    return jla_study(owner)


# --- who sent it, and counting ----------------------------------------------------------------


def test_respondent_type_starts_as_the_stakeholder_group_and_can_be_changed(study, owner):
    entry = submit(study, "Sleep after surgery", group=1)
    assert intake.respondent_type_of(entry) == "Carers"
    intake.set_respondent(entry, by=owner, respondent_type="  Carer ",
                          organisation="  Hip   Support UK ")
    entry = fresh(entry)
    assert (entry.respondent_type, entry.organisation) == ("Carer", "Hip Support UK")
    assert intake.respondent_type_of(entry) == "Carer"
    event = _db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "intake.respondent_changed"))
    assert event.target == f"suggestion {entry.id}"
    assert event.details == {"respondent_type": "Carer", "organisation": "Hip Support UK",
                             "before": {"respondent_type": "", "organisation": ""}}


def test_a_participant_without_a_group_has_no_respondent_type(study):
    participant = Participant(study=study, pseudonym="P0099")
    _db.session.add(participant)
    _db.session.commit()
    assert intake.respondent_type_of(submit(study, "Sleep", participant=participant)) == ""


@pytest.mark.parametrize(("respondent_type", "organisation", "field", "message"), [
    ("", "", "respondent_type", "Enter the respondent type"),
    ("   ", "Hip Support UK", "respondent_type", "Enter the respondent type"),
    ("x" * 101, "", "respondent_type", "100 characters or fewer"),
    ("Patient", "y" * 201, "organisation", "200 characters or fewer"),
])
def test_bad_respondents_are_refused_and_nothing_is_saved(study, owner, respondent_type,
                                                           organisation, field, message):
    entry = submit(study, "Sleep")
    with pytest.raises(IntakeError, match=message) as raised:
        intake.set_respondent(entry, by=owner, respondent_type=respondent_type,
                              organisation=organisation)
    assert raised.value.field == field
    entry = fresh(entry)
    assert (entry.respondent_type, entry.organisation) == ("", "")
    assert audit_actions(study) == []


def test_submissions_from_one_organisation_count_as_one_respondent(study, owner):
    # JLA Guidebook: repeated submissions from one single-issue organisation are not
    # counted as separate. Three submissions, two naming the same organisation -> 2.
    first = submit(study, "How to sleep after surgery?")
    second = submit(study, "Sleep after hip surgery", group=1)
    other = submit(study, "Sleeping at night", group=2)
    intake.set_respondent(first, by=owner, respondent_type="Organisation",
                          organisation="Hip Support UK")
    second.organisation = " hip support uk "  # as stored by an older import: still one
    _db.session.commit()
    assert intake.count_respondents([first, second, other]) == 2
    suggestions.merge_suggestions(first, [second, other], by=owner)
    suggestions.create_item_from(first, by=owner, text="What helps people sleep after hip "
                                                       "fracture surgery?")
    question = intake.intake(study).questions[0]
    assert len(question.submissions) == 3
    assert question.respondents == 2
    assert question.by_type == (("Clinicians", 1), ("Organisation", 1))
    assert question.types_words == "Clinicians 1, Organisation 1"


def test_one_participant_writing_twice_is_one_respondent(study):
    participant = make_participant(study)
    entries = [submit(study, text, participant=participant) for text in ("Sleep", "Rest")]
    assert intake.count_respondents(entries) == 1
    assert intake.respondents_by_type(entries) == (("Patients", 1),)


def test_respondents_by_type_count_each_respondent_once_under_its_first_type(study, owner):
    a = submit(study, "Sleep")
    b = submit(study, "Rest", participant=a.participant)
    c = submit(study, "Naps", group=1)
    intake.set_respondent(b, by=owner, respondent_type="Carer")
    c.respondent_type = ""
    c.participant.group = None
    _db.session.commit()
    assert intake.respondents_by_type([a, b, c]) == (("Not recorded", 1), ("Patients", 1))


# --- scope ------------------------------------------------------------------------------------


def test_out_of_scope_needs_a_reason_and_is_audited(study, owner):
    entry = submit(study, "Parking at the hospital")
    intake.mark_out_of_scope(entry, by=owner, reason="  About car parking, not treatment ")
    assert fresh(entry).out_of_scope_reason == "About car parking, not treatment"
    intake.mark_in_scope(entry, by=owner)
    assert fresh(entry).out_of_scope_reason is None
    assert audit_actions(study) == ["intake.out_of_scope", "intake.in_scope"]
    with pytest.raises(StateError, match="in scope already"):
        intake.mark_in_scope(fresh(entry), by=owner)


@pytest.mark.parametrize(("reason", "message"), [
    ("", "Enter why this submission is out of scope"),
    ("   ", "Enter why this submission is out of scope"),
    ("r" * 1001, "1,000 characters or fewer"),
])
def test_out_of_scope_without_a_proper_reason_is_refused(study, owner, reason, message):
    entry = submit(study, "Parking")
    with pytest.raises(IntakeError, match=message) as raised:
        intake.mark_out_of_scope(entry, by=owner, reason=reason)
    assert raised.value.field == "reason"
    assert fresh(entry).out_of_scope_reason is None
    assert audit_actions(study) == []


def test_out_of_scope_submissions_cannot_be_grouped_or_made_into_items(study, owner):
    out, other = submit(study, "Parking"), submit(study, "Sleep")
    intake.mark_out_of_scope(out, by=owner, reason="Not about treatment")
    for lead, duplicates in ((out, [other]), (other, [out])):
        with pytest.raises(StateError, match=f"Suggestion {out.id} is marked out of scope"):
            suggestions.merge_suggestions(lead, duplicates, by=owner)
    with pytest.raises(StateError, match="cannot be grouped or made into an item"):
        suggestions.create_item_from(out, by=owner, text="Where to park?")
    assert fresh(other).merged_into_id is None and fresh(out).merged_into_id is None
    assert study.items == []


def test_several_out_of_scope_submissions_are_named_together(study, owner):
    lead, first, second = submit(study, "Sleep"), submit(study, "Parking"), submit(study, "Food")
    for entry in (first, second):
        intake.mark_out_of_scope(entry, by=owner, reason="Not about treatment")
    with pytest.raises(StateError, match=f"Suggestions {first.id}, {second.id} are marked out "
                                         "of scope"):
        suggestions.merge_suggestions(lead, [second, first], by=owner)


def test_grouped_submissions_and_those_made_into_items_stay_in_scope(study, owner):
    lead, member, alone = submit(study, "Sleep"), submit(study, "Rest"), submit(study, "Pain")
    suggestions.merge_suggestions(lead, [member], by=owner)
    suggestions.create_item_from(alone, by=owner, text="Which pain relief works best?")
    for entry, message in ((member, "grouped under another"),
                           (lead, "Other submissions are grouped under this one"),
                           (alone, "indicative question was made from this submission")):
        with pytest.raises(StateError, match=message):
            intake.mark_out_of_scope(entry, by=owner, reason="Not about treatment")
        assert fresh(entry).out_of_scope_reason is None
    assert audit_actions(study) == []


# --- the evidence check -----------------------------------------------------------------------


def question(study, owner, text="What helps people sleep after surgery?"):
    return suggestions.create_item_from(submit(study, text), by=owner, text=text)


def test_the_evidence_check_is_saved_with_its_source_and_audited(study, owner):
    item = question(study, owner)
    intake.set_evidence(item, by=owner, status="answered", note=" Cochrane review 2024 ")
    item = fresh(item)
    assert (item.evidence_status, item.evidence_note) == (EvidenceStatus.ANSWERED,
                                                          "Cochrane review 2024")
    intake.set_evidence(item, by=owner, status="unanswered")
    assert fresh(item).evidence_status == EvidenceStatus.UNANSWERED
    events = list(_db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "intake.evidence_checked").order_by(AuditEvent.id)))
    assert [(e.details["status"], e.details["before"]) for e in events] == [
        ("answered", None), ("unanswered", "answered")]


@pytest.mark.parametrize(("status", "note", "field", "message"), [
    ("", "", "status", "Choose whether research has answered the question"),
    ("solved", "A review", "status", "Choose whether research has answered the question"),
    ("answered", "  ", "note", "Enter the source of the answer"),
    ("partly_answered", "", "note", "Enter the source of the answer"),
    ("unanswered", "n" * 2001, "note", "2,000 characters or fewer"),
])
def test_a_bad_evidence_check_is_refused_and_nothing_is_saved(study, owner, status, note,
                                                              field, message):
    item = question(study, owner)
    with pytest.raises(IntakeError, match=message) as raised:
        intake.set_evidence(item, by=owner, status=status, note=note)
    assert raised.value.field == field
    item = fresh(item)
    assert (item.evidence_status, item.evidence_note) == (None, "")
    assert audit_actions(study) == []


# --- the intake page's figures ----------------------------------------------------------------


def test_the_intake_counts_submissions_scope_questions_and_evidence(study, owner):
    sleep, rest, pain, parking, naps, exercise = (
        submit(study, text) for text in ("Sleep", "Rest", "Pain", "Parking", "Naps",
                                         "Exercise"))
    t = Participant(study=study, pseudonym="T0001", is_test=True, group=study.groups[0])
    _db.session.add(t)
    _db.session.commit()
    submit(study, "A test participant's idea", participant=t)
    suggestions.merge_suggestions(sleep, [rest], by=owner)
    q_sleep = suggestions.create_item_from(sleep, by=owner, text="Sleeping after surgery?")
    q_pain = suggestions.create_item_from(pain, by=owner, text="Best pain relief?")
    suggestions.create_item_from(exercise, by=owner, text="Exercise after discharge?")
    intake.mark_out_of_scope(parking, by=owner, reason="About parking")
    intake.set_evidence(q_sleep, by=owner, status="answered", note="Cochrane 2024")
    intake.set_evidence(q_pain, by=owner, status="partly_answered", note="NICE NG124")
    found = intake.intake(study)
    assert found.summary == intake.IntakeSummary(
        received=6, out_of_scope=1, not_in_a_question=1, questions=3, answered=1,
        partly_answered=1, unanswered=0, not_checked=1)
    assert [q.item.current.text for q in found.questions] == [
        "Sleeping after surgery?", "Best pain relief?", "Exercise after discharge?"]
    assert [len(q.submissions) for q in found.questions] == [2, 1, 1]
    assert [q.evidence_words for q in found.questions] == [
        "Answered by research", "Partly answered", "Not yet checked"]
    assert found.out_of_scope == (fresh(parking),)
    assert [q.item.id for q in found.left_out] == [q_sleep.id]
    assert naps.id not in {s.id for q in found.questions for s in q.submissions}


# --- the interim survey leaves out answered questions -----------------------------------------


def test_preparing_the_interim_survey_leaves_out_answered_questions(study, owner):
    answered, partly, unchecked, unanswered = (
        question(study, owner, text) for text in ("Answered?", "Partly?", "Unchecked?",
                                                  "Unanswered?"))
    intake.set_evidence(answered, by=owner, status="answered", note="Cochrane 2024")
    intake.set_evidence(partly, by=owner, status="partly_answered", note="NICE NG124")
    intake.set_evidence(unanswered, by=owner, status="unanswered")
    prepared = rounds.prepare_next_round(study.rounds[0], owner)
    shown = [ri.item.id for ri in prepared.round.round_items]
    assert shown == [partly.id, unchecked.id, unanswered.id]
    assert prepared.new_items == 3
    assert answered not in rounds.addable_items(prepared.round)
    with pytest.raises(ValidationError, match="Research has already answered this question"):
        rounds.add_to_draft(prepared.round, answered, owner, "The steering group wants it")
    assert [ri.item.id for ri in fresh(prepared.round).round_items] == shown


def test_a_question_answered_after_the_draft_was_prepared_is_flagged(study, owner):
    item = question(study, owner)
    draft = rounds.prepare_next_round(study.rounds[0], owner).round
    intake.set_evidence(item, by=owner, status="answered", note="Cochrane 2024")
    left_out = intake.intake(study).left_out
    assert [(q.item.id, q.draft_rounds) for q in left_out] == [(item.id, (draft.number,))]
    again = rounds.prepare_next_round(study.rounds[0], owner).round
    assert again.round_items == []
    assert intake.intake(study).left_out[0].draft_rounds == ()


# --- the trail, from submission to the final top 10 -------------------------------------------


def built_trail(owner):
    """A small made-up partnership from the first survey to the final workshop."""
    study = jla_study(owner)
    patient, carer, clinician, another = (
        make_participant(study, group=study.groups[g]) for g in (0, 1, 2, 0))
    s1 = submit(study, "How to sleep after surgery?", participant=patient)
    s2 = submit(study, "Sleep after hip surgery", participant=carer)
    s3 = submit(study, "Best pain relief at night?", participant=clinician)
    s4 = submit(study, "=HYPERLINK(\"http://example.test\")", participant=another)
    s5 = submit(study, "Exercise after discharge?", participant=patient)
    t = Participant(study=study, pseudonym="T0001", is_test=True, group=study.groups[0])
    _db.session.add(t)
    _db.session.commit()
    submit(study, "A test participant's idea", participant=t)
    intake.set_respondent(s1, by=owner, respondent_type="Organisation",
                          organisation="Hip Support UK")
    intake.set_respondent(s2, by=owner, respondent_type="Carers",
                          organisation=" hip support uk ")
    suggestions.merge_suggestions(s1, [s2], by=owner)
    q1 = suggestions.create_item_from(s1, by=owner, text="What helps people sleep after hip "
                                                         "fracture surgery?")
    q2 = suggestions.create_item_from(s3, by=owner, text="Which pain relief works best at "
                                                         "night?")
    q3 = suggestions.create_item_from(s5, by=owner, text="Which exercises help after "
                                                         "discharge?")
    intake.mark_out_of_scope(s4, by=owner, reason="Not about hip fracture")
    intake.set_evidence(q1, by=owner, status="unanswered")
    intake.set_evidence(q2, by=owner, status="answered", note="Cochrane review 2024")
    intake.set_evidence(q3, by=owner, status="partly_answered", note="NICE NG124")
    interim = rounds.prepare_next_round(study.rounds[0], owner).round
    assert [ri.item_id for ri in interim.round_items] == [q1.id, q3.id]
    interim.kind, interim.ranking_size, interim.state = RoundKind.RANKING, 2, RoundState.CLOSED
    # Patients put q3 first, carers and clinicians q1: JLA scores q1 2+2+1, q3 1+1+2.
    for person, order in ((patient, (q3, q1)), (carer, (q1,)), (clinician, (q1, q3))):
        for position, item in enumerate(order, start=1):
            _db.session.add(Ranking(participant_id=person.id, round_id=interim.id,
                                    item_id=item.id, position=position))
    _db.session.commit()
    ranking_results.decide_shortlist(interim, owner, size=2)
    final = workshop.create_workshop(interim, owner)
    final.state = RoundState.OPEN
    _db.session.commit()
    session = workshop.add_session(final, owner, "Morning", ["Red", "Blue"])
    for group in session.groups:  # both small groups put q3 first
        workshop.enter_ranking(group, {workshop.position_name(q3.id): "1",
                                       workshop.position_name(q1.id): "2"}, owner)
    workshop.close_session(session, owner)
    return study, (s1, s2, s3, s4, s5), (q1, q2, q3)


def test_the_trail_export_follows_each_submission_to_the_top_10(owner):
    study, (s1, s2, s3, s4, s5), (q1, q2, q3) = built_trail(owner)
    rows = read_csv(exports.export(study, "trail", "csv", by=owner).data)
    assert tuple(rows[0]) == priority_exports.TRAIL_COLUMNS
    q1_text = "What helps people sleep after hip fracture surgery?"
    assert [tuple(row.values()) for row in rows] == [
        (str(s1.id), "1", "Organisation", "Hip Support UK", "How to sleep after surgery?",
         "How to sleep after surgery?", "in", "", "", str(q1.id), q1_text, "unanswered", "",
         "1", "1", "2"),
        (str(s2.id), "1", "Carers", "hip support uk", "Sleep after hip surgery",
         "Sleep after hip surgery", "in", "", str(s1.id), str(q1.id), q1_text, "unanswered",
         "", "1", "1", "2"),
        (str(s3.id), "1", "Clinicians", "", "Best pain relief at night?",
         "Best pain relief at night?", "in", "", "", str(q2.id),
         "Which pain relief works best at night?", "answered", "Cochrane review 2024", "", "0",
         ""),
        (str(s4.id), "1", "Patients", "", "'=HYPERLINK(\"http://example.test\")", "", "out",
         "Not about hip fracture", "", "", "", "", "", "", "", ""),
        (str(s5.id), "1", "Patients", "", "Exercise after discharge?",
         "Exercise after discharge?", "in", "", "", str(q3.id),
         "Which exercises help after discharge?", "partly_answered", "NICE NG124", "2", "1",
         "1"),
    ]
    question = intake.intake(study).questions[0]
    assert (question.item.id, len(question.submissions), question.respondents) == (q1.id, 2, 1)


def test_the_trail_comes_as_xlsx_with_numbers_as_numbers(owner):
    study, (s1, *_rest), (q1, *_qs) = built_trail(owner)
    _sheet, header, rows = read_xlsx(exports.export(study, "trail", "xlsx", by=owner).data)
    assert tuple(header) == priority_exports.TRAIL_COLUMNS
    first = {name: cell.value for name, cell in rows[0].items()}
    assert first["submission id"] == s1.id and first["question item id"] == q1.id
    assert (first["interim survey place"], first["shortlisted"], first["workshop place"]) == (
        1, 1, 2)
    assert rows[3]["original text"].value == "'=HYPERLINK(\"http://example.test\")"
    assert _db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export.downloaded", AuditEvent.target == "trail")) == 1


def test_the_trail_before_any_ranking_or_workshop_has_blank_places(study, owner):
    item = question(study, owner)
    (row,) = intake.trail(study)
    assert (row.item_id, row.interim_place, row.shortlisted, row.workshop_place) == (
        item.id, None, None, None)


def test_the_trail_is_listed_for_priority_setting_studies_only(study, owner):
    assert "trail" in {d.name for d in exports.downloads(study, owner)}
    study.kind = StudyKind.DELPHI
    _db.session.commit()
    assert "trail" not in {d.name for d in exports.downloads(study, owner)}


def test_the_trail_page_puts_questions_in_their_final_order(owner):
    study, (s1, s2, s3, s4, s5), (q1, q2, q3) = built_trail(owner)
    extra = submit(study, "Help with stairs")
    page = intake.trail_page(study)
    assert [q.item_id for q in page.questions] == [q3.id, q1.id, q2.id]
    assert [(q.workshop_place, q.interim_place, q.shortlisted) for q in page.questions] == [
        (1, 2, True), (2, 1, True), (None, None, False)]
    assert [row.submission_id for row in page.questions[1].submissions] == [s1.id, s2.id]
    assert [row.submission_id for row in page.not_in_a_question] == [extra.id]
    assert [row.submission_id for row in page.out_of_scope] == [s4.id]


def queries_while(action) -> int:
    found = []

    def count(_conn, _cursor, statement, *_args):
        found.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    return len(found)


def test_reading_the_intake_and_the_trail_does_not_query_per_submission(study, owner):
    def add_question(n):
        lead = submit(study, f"Question {n}")
        suggestions.merge_suggestions(lead, [submit(study, f"Same as {n}", group=g)
                                             for g in (1, 2)], by=owner)
        suggestions.create_item_from(lead, by=owner, text=f"Indicative question {n}?")

    def reads():
        _db.session.expire_all()
        return (queries_while(lambda: intake.intake(study)),
                queries_while(lambda: intake.trail(study)))

    add_question(1)
    few = reads()
    for n in range(2, 7):
        add_question(n)
    assert reads() == few
