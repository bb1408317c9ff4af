"""CHNRI exercises: set-up of criteria and questions, saving answers, and the results."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from delphi.errors import NotFound, StateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    AuditEvent,
    ChnriAnswer,
    Round,
    RoundKind,
    RoundParticipation,
    StudyKind,
    utcnow,
)
from delphi.services import chnri, rounds

from ..factories import make_participant, make_study, make_user


def build_chnri_study(owner=None, n_items=3, title="Research to help after a stroke"):
    """A CHNRI study with the standard criteria and a draft CHNRI round 1."""
    owner = owner or make_user()
    study = make_study(owner=owner, title=title, n_items=n_items)
    study.kind = StudyKind.CHNRI
    study.rounds[0].kind = RoundKind.CHNRI
    _db.session.commit()
    chnri.add_template(study, owner)
    return study, study.rounds[0], owner


def open_(round_, owner):
    rounds.open_round(round_, owner, datetime.now(UTC) + timedelta(days=14))


def answer(participant, round_item, question, value):
    """Store one answer directly (as the participant page does)."""
    _db.session.add(ChnriAnswer(participant_id=participant.id, round_item_id=round_item.id,
                                question_id=question.id, answer=value))


@pytest.fixture
def study(db):
    return build_chnri_study()


# --- set-up --------------------------------------------------------------------------------


def test_the_template_adds_the_five_standard_criteria_each_with_a_question(study):
    study, _round, owner = study
    criteria = chnri.criteria_of(study)
    assert [c.name for c in criteria] == [
        "Answerability", "Effectiveness", "Deliverability",
        "Maximum potential for disease burden reduction", "Effect on equity",
    ]
    assert all(len(c.questions) == 1 and c.weight == 1 for c in criteria)
    with pytest.raises(ValidationError, match="already has criteria"):
        chnri.add_template(study, owner)
    actions = _db.session.scalars(select(AuditEvent.action)).all()
    assert "chnri.template_added" in actions


def test_criteria_and_questions_can_be_added_renamed_moved_and_deleted(study):
    study, _round, owner = study
    cost = chnri.add_criterion(study, owner, "  Cost  ")
    assert cost.name == "Cost" and cost.position == 5
    with pytest.raises(ValidationError, match="already has a criterion"):
        chnri.add_criterion(study, owner, "cost")
    with pytest.raises(ValidationError, match="Enter the criterion's name"):
        chnri.add_criterion(study, owner, " ")
    first = chnri.add_question(cost, owner, "Is it cheap?")
    second = chnri.add_question(cost, owner, "Is it cheap to keep going?")
    assert [q.text for q in cost.questions] == ["Is it cheap?", "Is it cheap to keep going?"]
    chnri.move_question(second, owner, "up")
    _db.session.refresh(cost)
    assert [q.id for q in cost.questions] == [second.id, first.id]
    chnri.update_question(first, owner, "Is it affordable?")
    chnri.move_criterion(cost, owner, "up")
    names = [c.name for c in chnri.criteria_of(study)]
    assert names[4] == "Cost" and names[5] == "Effect on equity"
    chnri.update_criterion(cost, owner, "Affordability", 2, "Survey of 2025, n = 120")
    assert (cost.name, cost.weight, cost.weight_source) == (
        "Affordability", 2, "Survey of 2025, n = 120")
    chnri.delete_question(second, owner)
    _db.session.refresh(cost)
    assert [q.text for q in cost.questions] == ["Is it affordable?"]
    chnri.delete_criterion(cost, owner)
    assert len(chnri.criteria_of(study)) == 5


@pytest.mark.parametrize(("weight", "source", "message"), [
    (2, "", "Say where a weight other than 1 comes from"),
    (0, "A survey", "more than 0"),
    (101, "A survey", "more than 0"),
    ("lots", "A survey", "as a number"),
])
def test_a_weight_other_than_1_needs_a_source_and_a_sensible_value(study, weight, source,
                                                                    message):
    study, _round, owner = study
    criterion = chnri.criteria_of(study)[0]
    with pytest.raises(ValidationError, match=message):
        chnri.update_criterion(criterion, owner, criterion.name, weight, source)
    _db.session.refresh(criterion)
    assert criterion.weight == 1


def test_nothing_changes_once_the_chnri_round_has_opened(study):
    study, round_, owner = study
    open_(round_, owner)
    criterion = chnri.criteria_of(study)[0]
    question = criterion.questions[0]
    assert not chnri.is_changeable(study)
    for change in (
        lambda: chnri.add_criterion(study, owner, "Cost"),
        lambda: chnri.update_criterion(criterion, owner, "New", 1),
        lambda: chnri.move_criterion(criterion, owner, "down"),
        lambda: chnri.delete_criterion(criterion, owner),
        lambda: chnri.add_question(criterion, owner, "Another?"),
        lambda: chnri.update_question(question, owner, "Changed?"),
        lambda: chnri.move_question(question, owner, "down"),
        lambda: chnri.delete_question(question, owner),
    ):
        with pytest.raises(StateError, match="can no longer change"):
            change()
    assert [c.name for c in chnri.criteria_of(study)][0] == "Answerability"


def test_a_study_of_another_kind_has_no_chnri_set_up(db):
    owner = make_user()
    study = make_study(owner=owner)
    with pytest.raises(StateError, match="not a CHNRI exercise"):
        chnri.add_template(study, owner)
    with pytest.raises(StateError, match="not a CHNRI exercise"):
        chnri.use_round(study.rounds[0], owner)


def test_a_draft_round_becomes_the_chnri_round_once(db):
    owner = make_user()
    study = make_study(owner=owner)
    study.kind = StudyKind.CHNRI
    _db.session.commit()
    assert chnri.chnri_round(study) is None
    assert chnri.first_draft_round(study) is study.rounds[0]
    chnri.use_round(study.rounds[0], owner)
    assert study.rounds[0].kind == RoundKind.CHNRI and chnri.chnri_round(study) is study.rounds[0]
    second = Round(study=study, number=2)
    _db.session.add(second)
    _db.session.commit()
    with pytest.raises(StateError, match="already has a CHNRI round"):
        chnri.use_round(second, owner)
    assert second.kind == RoundKind.RATING


def test_another_studys_criterion_or_question_is_not_found(study):
    study, _round, owner = study
    other, _other_round, _ = build_chnri_study(owner, title="Another exercise")
    criterion = chnri.criteria_of(other)[0]
    with pytest.raises(NotFound):
        chnri.get_criterion(study, criterion.id)
    with pytest.raises(NotFound):
        chnri.get_question(study, criterion.questions[0].id)


# --- answering -----------------------------------------------------------------------------


@pytest.fixture
def answering(study):
    study, round_, owner = study
    open_(round_, owner)
    participant = make_participant(study)
    participant.consented_at = utcnow()
    _db.session.commit()
    return study, round_, participant


def test_a_page_saves_valid_answers_and_reports_the_rest(answering):
    study, round_, participant = answering
    page = chnri.pages_of(chnri.options_of(round_))[0]
    questions = chnri.questions_of(study)
    form = MultiDict({chnri.input_name(page[0], q): "yes" for q in questions})
    form[chnri.input_name(page[1], questions[0])] = "maybe"
    result = chnri.save_page(participant, round_, page, form)
    assert result.saved == 5
    assert result.errors[chnri.input_name(page[1], questions[0])].startswith("Choose Yes")
    assert chnri.input_name(page[1], questions[1]) in result.errors
    form = MultiDict({chnri.input_name(page[0], questions[0]): "no"})
    chnri.save_page(participant, round_, page, form, require_all=False)
    saved = chnri.saved_answers(participant, round_)
    assert saved[chnri.input_name(page[0], questions[0])] == "no"
    assert saved[chnri.input_name(page[0], questions[1])] == "yes"
    assert len(saved) == 5
    assert chnri.progress(participant, round_) == (5, 15)
    started = _db.session.scalar(select(RoundParticipation.started_at))
    assert started is not None


def test_inputs_for_another_page_or_study_save_nothing(answering):
    study, round_, participant = answering
    pages = chnri.pages_of(chnri.options_of(round_), size=2)
    questions = chnri.questions_of(study)
    other, _r, _o = build_chnri_study(make_user("other@example.test"),
                                      title="Another exercise")
    foreign = chnri.questions_of(other)[0]
    for name in (chnri.input_name(pages[1][0], questions[0]),
                 f"chnri-{pages[0][0].key}-{foreign.id}"):
        form = MultiDict({chnri.input_name(pages[0][0], questions[0]): "yes", name: "yes"})
        with pytest.raises(chnri.UnknownInput):
            chnri.save_page(participant, round_, pages[0], form)
    assert chnri.saved_answers(participant, round_) == {}


def test_a_closed_round_takes_no_answers(answering):
    study, round_, participant = answering
    page = chnri.pages_of(chnri.options_of(round_))[0]
    rounds.close_round(round_, None)
    name = chnri.input_name(page[0], chnri.questions_of(study)[0])
    with pytest.raises(StateError, match="has closed"):
        chnri.save_page(participant, round_, page, MultiDict({name: "yes"}))
    with pytest.raises(StateError):
        chnri.send(participant, round_)
    assert chnri.saved_answers(participant, round_) == {}


# --- results -------------------------------------------------------------------------------

# Three scorers; option 1 and 2; the answers per scorer, option and question (the first
# criterion gets a second question). None = not answered.
ANSWERS = {
    # scorer: {option: [q1a, q1b, q2, q3, q4, q5]}
    0: {0: ["yes", "yes", "yes", "no", "undecided", "yes"],
        1: ["no", "no", "yes", "yes", "yes", "yes"]},
    1: {0: ["yes", "dont_know", "undecided", "no", "no", "yes"],
        1: ["undecided", "no", "yes", "yes", "yes", "no"]},
    2: {0: ["undecided", "yes", "yes", None, "yes", "no"],
        1: ["no", "yes", "yes", "yes", "yes", "yes"]},
}
VALUE = {"yes": 1.0, "undecided": 0.5, "no": 0.0}


def expected(weights):
    """Independent plain-Python CHNRI scores of ANSWERS: (criterion scores, RPS, AEA)."""
    criterion_of = [0, 0, 1, 2, 3, 4]
    out = {}
    for option in (0, 1):
        sums, counts = [0.0] * 5, [0] * 5
        agreement = []
        for q in range(6):
            given = [ANSWERS[s][option][q] for s in ANSWERS]
            given = [g for g in given if g not in (None, "dont_know")]
            for g in given:
                sums[criterion_of[q]] += VALUE[g]
                counts[criterion_of[q]] += 1
            agreement.append(max(given.count(v) for v in VALUE) / len(given))
        scores = [100 * s / n for s, n in zip(sums, counts, strict=True)]
        rps = sum(w * s for w, s in zip(weights, scores, strict=True)) / sum(weights)
        out[option] = (scores, rps, sum(agreement) / len(agreement))
    return out


def store_answers(study, round_, scorers):
    questions = chnri.questions_of(study)
    round_items = round_.round_items
    for scorer, participant in enumerate(scorers):
        for option, values in ANSWERS[scorer].items():
            for question, value in zip(questions, values, strict=True):
                if value is not None:
                    answer(participant, round_items[option], question, value)
    _db.session.commit()


@pytest.fixture
def scored(db):
    study, round_, owner = build_chnri_study(n_items=2)
    chnri.add_question(chnri.criteria_of(study)[0], owner, "Are the methods known?")
    open_(round_, owner)
    scorers = [make_participant(study) for _ in range(3)]
    store_answers(study, round_, scorers)
    tester = make_participant(study)
    tester.is_test = True
    for question in chnri.questions_of(study):
        for round_item in round_.round_items:
            answer(tester, round_item, question, "no")
    _db.session.commit()
    return study, round_, owner


def test_results_match_an_independent_calculation(scored):
    study, round_, _owner = scored
    results = chnri.chnri_results(round_)
    want = expected([1] * 5)
    assert results.scorers == 3 and not results.weighted
    assert [c.name for c in results.criteria][0] == "Answerability"
    assert [c.questions for c in results.criteria] == [2, 1, 1, 1, 1]
    by_number = {row.number: row for row in results.rows}
    for option in (0, 1):
        row = by_number[option + 1]
        scores, rps, aea = want[option]
        assert row.criterion_scores == pytest.approx(scores)
        assert row.rps == pytest.approx(rps)
        assert row.aea == pytest.approx(aea)
        assert row.weighted_rps is None
    assert [(row.number, row.rank) for row in results.rows] == [(2, 1), (1, 2)]


def test_weights_change_the_order_as_expected(scored):
    study, round_, owner = scored
    unweighted = chnri.chnri_results(round_)
    # Option 2 leads unweighted; option 1 scores far higher on answerability, so weighting
    # answerability heavily puts option 1 first.
    weights = [10, 1, 1, 1, 1]
    want = expected(weights)
    criteria = chnri.criteria_of(study)
    # Weights are set before the round opens; change them here directly.
    criteria[0].weight, criteria[0].weight_source = 10, "Survey of 2025, n = 120"
    _db.session.commit()
    weighted = chnri.chnri_results(round_)
    assert weighted.weighted
    by_number = {row.number: row for row in weighted.rows}
    for option in (0, 1):
        assert by_number[option + 1].weighted_rps == pytest.approx(want[option][1])
        assert by_number[option + 1].rps == pytest.approx(expected([1] * 5)[option][1])
    assert [row.number for row in unweighted.rows] == [2, 1]
    assert [row.number for row in weighted.rows] == [1, 2]


def test_results_with_no_answers_have_no_scores(study):
    study, round_, owner = study
    open_(round_, owner)
    results = chnri.chnri_results(round_)
    assert results.scorers == 0
    assert all(row.rank is None for row in results.rows)
    assert [row.number for row in results.rows] == [1, 2, 3]
