"""The results service: database counts give exactly the engine's raw-path results, test
participants and superseded wordings never count, and a published snapshot never changes."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import numpy.testing as npt
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError

from delphi.engine import (
    COMET_GRADE,
    ENGINE_VERSION,
    RAND_UCLA,
    classify,
    compare_rules,
    rule_from_dict,
    summarise,
)
from delphi.errors import RoundStateError, StateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    ConsensusRule,
    Dimension,
    ItemVersion,
    Participant,
    ResponseType,
    ResultSnapshot,
    Round,
    RoundItem,
    RoundParticipation,
    RuleRole,
    utcnow,
)
from delphi.services import demo, items, results
from delphi.services.scales import engine_scale

from ..factories import make_participant, make_study, make_user


@pytest.fixture
def demo_round(db):
    """Round 1 of the demo study: closed (not published), 60 participants, 30 rated items."""
    study = demo.load_demo(round_two=False).study
    return study.rounds[0]


def _raw_path(round_: Round, dimension: Dimension):
    """The engine's raw path, built from answer objects: participants x items arrays."""
    round_items = list(round_.round_items)
    starters = list(_db.session.scalars(
        select(Participant)
        .join(RoundParticipation, RoundParticipation.participant_id == Participant.id)
        .where(RoundParticipation.round_id == round_.id,
               RoundParticipation.started_at.is_not(None), Participant.is_test.is_(False))
        .order_by(Participant.id)
    ))
    row = {participant.id: index for index, participant in enumerate(starters)}
    column = {round_item.id: index for index, round_item in enumerate(round_items)}
    ratings = np.full((len(starters), len(round_items)), np.nan)
    unable = np.zeros(ratings.shape, dtype=bool)
    for answer in _db.session.scalars(select(Answer).where(
            Answer.round_item_id.in_(column), Answer.dimension_id == dimension.id)):
        round_item = round_items[column[answer.round_item_id]]
        if answer.participant_id not in row or answer.item_version_id != round_item.item_version_id:
            continue
        position = row[answer.participant_id], column[answer.round_item_id]
        if answer.is_unable:
            unable[position] = True
        elif answer.value is not None:
            ratings[position] = answer.value
    groups = [participant.group.name for participant in starters]
    return summarise(ratings, engine_scale(dimension.scale), groups=groups, unable=unable)


def test_demo_results_equal_the_engines_raw_path(demo_round):
    study = demo_round.study
    dimension = study.dimensions[0]
    result = results.round_results(demo_round)
    raw = _raw_path(demo_round, dimension)

    assert result.summary == raw
    assert result.summary.group_labels == raw.group_labels == tuple(
        sorted(group.name for group in study.groups))
    for label, group in raw.by_group.items():
        assert result.summary.by_group[label] == group
        npt.assert_array_equal(result.summary.by_group[label].counts, group.counts)
    npt.assert_array_equal(result.summary.counts, raw.counts)
    npt.assert_array_equal(result.summary.n_missing, raw.n_missing)
    npt.assert_array_equal(result.summary.n_unable, raw.n_unable)
    npt.assert_allclose(result.summary.median, raw.median)
    assert raw.n_missing.sum() > 0 and raw.n_unable.sum() > 0

    rule = rule_from_dict(study.rules[0].definition)
    expected = classify(raw, rule, 1)
    npt.assert_array_equal(result.classification.status, expected.status)
    npt.assert_array_equal(result.classification.reasons, expected.reasons)
    for label in raw.group_labels:
        npt.assert_array_equal(result.classification.by_group[label], expected.by_group[label])
    assert set(expected.status.tolist()) == {"consensus_in", "consensus_out", "no_consensus"}
    comparison = compare_rules(raw, {study.rules[0].name: rule})
    npt.assert_array_equal(result.comparison.status[study.rules[0].name],
                           comparison.status[study.rules[0].name])

    assert result.round_items == tuple(ri.id for ri in demo_round.round_items)
    assert result.item_ids == tuple(ri.item_id for ri in demo_round.round_items)
    assert result.dimension_id == dimension.id
    assert result.option_shares == {}


def test_withdrawn_participants_answers_count_under_the_keep_policy(demo_round):
    withdrawn = _db.session.scalar(select(Participant).where(
        Participant.study_id == demo_round.study_id, Participant.withdrawn_at.is_not(None)
    ).limit(1))
    before = results.round_results(demo_round).summary
    _db.session.execute(update(Answer).where(Answer.participant_id == withdrawn.id)
                        .values(value=None, is_unable=False))
    _db.session.commit()
    after = results.round_results(demo_round).summary
    assert after.n.sum() < before.n.sum()


def test_test_participants_never_enter(demo_round):
    before = results.round_results(demo_round)
    study = demo_round.study
    tester = Participant(study=study, group=study.groups[0], pseudonym="T-test", is_test=True)
    _db.session.add(tester)
    _db.session.add(RoundParticipation(round=demo_round, participant=tester,
                                       invited_at=utcnow(), started_at=utcnow()))
    for round_item in demo_round.round_items:
        _db.session.add(Answer(participant=tester, round_item=round_item,
                               item_version=round_item.item_version,
                               dimension=study.dimensions[0], value=1))
    _db.session.commit()
    assert results.round_results(demo_round) == before


# ---------------------------------------------------------------- a small study of our own


def _answer(participant, round_item, dimension, value=None, unable=False, version=None):
    _db.session.add(Answer(
        participant=participant, round_item=round_item, dimension=dimension,
        item_version=version or round_item.item_version, value=value, is_unable=unable))


@pytest.fixture
def small(db):
    """An open round of 3 rated items; 4 participants started (one group-less), one invited."""
    study = make_study(owner=make_user(), n_items=3)
    study.rules.append(ConsensusRule(name="COMET GRADE", role=RuleRole.PRIMARY,
                                     definition=COMET_GRADE.to_dict()))
    round_ = study.rounds[0]
    for position, item in enumerate(study.items):
        round_.round_items.append(RoundItem(item=item, item_version=item.versions[0],
                                            position=position))
    round_.open()
    _db.session.commit()
    people = [make_participant(study, group=study.groups[index % 3]) for index in range(5)]
    for person in people[:4]:
        _db.session.add(RoundParticipation(round=round_, participant=person,
                                           invited_at=utcnow(), started_at=utcnow()))
    _db.session.add(RoundParticipation(round=round_, participant=people[4], invited_at=utcnow()))
    _db.session.commit()
    return study, round_, people


def test_missing_counts_starters_without_an_answer_only(small):
    study, round_, people = small
    dimension = study.dimensions[0]
    first, second, third = round_.round_items
    _answer(people[0], first, dimension, 8)
    _answer(people[1], first, dimension, unable=True)
    _answer(people[2], first, dimension, None)  # a row without a value is no answer
    _answer(people[0], second, dimension, 2)
    _db.session.commit()
    summary = results.round_results(round_).summary
    npt.assert_array_equal(summary.n, [1, 1, 0])
    npt.assert_array_equal(summary.n_unable, [1, 0, 0])
    npt.assert_array_equal(summary.n_missing, [2, 3, 4])  # the invited non-starter is not missing
    patients = summary.by_group[study.groups[0].name]
    npt.assert_array_equal(patients.n_missing, [1, 1, 2])
    assert set(summary.by_group) == {group.name for group in study.groups}


def test_an_answer_on_an_earlier_wording_is_not_counted(small):
    study, round_, people = small
    dimension = study.dimensions[0]
    first = round_.round_items[0]
    old = first.item_version
    for person in people[:3]:
        _answer(person, first, dimension, 9)
    _db.session.commit()
    assert results.round_results(round_).summary.n[0] == 3

    new = ItemVersion(item=first.item, number=2, text="Statement 1, reworded",
                      change_reason="A change of meaning")
    _db.session.add(new)
    _db.session.flush()
    first.item_version = new
    _answer(people[0], first, dimension, 4, version=new)
    _db.session.commit()
    result = results.round_results(round_)
    assert result.summary.n[0] == 1
    assert result.summary.median[0] == 4
    assert result.summary.n_missing[0] == 3  # the others must answer the new wording again
    assert result.item_version_ids[0] == new.id != old.id


def test_a_participant_without_a_group_counts_overall(small):
    study, round_, people = small
    people[0].group = None
    _answer(people[0], round_.round_items[0], study.dimensions[0], 7)
    _db.session.commit()
    summary = results.round_results(round_).summary
    assert summary.n[0] == 1
    assert summary.by_group[results.UNGROUPED].n[0] == 1


def test_without_rules_there_is_no_classification(small):
    study, round_, _people = small
    study.rules.clear()
    _db.session.commit()
    result = results.round_results(round_)
    assert result.summary is not None
    assert result.classification is None and result.comparison is None


def test_every_rule_is_compared_primary_first(small):
    study, round_, people = small
    study.rules.append(ConsensusRule(name="RAND/UCLA", role=RuleRole.SECONDARY,
                                     definition=RAND_UCLA.to_dict()))
    _answer(people[0], round_.round_items[0], study.dimensions[0], 9)
    _db.session.commit()
    result = results.round_results(round_)
    assert list(result.comparison.status) == ["COMET GRADE", "RAND/UCLA"]
    assert result.classification.rule.name == COMET_GRADE.name


def test_option_shares_of_choice_questions(small):
    study, round_, people = small
    dimension = study.dimensions[0]
    single_item, multi_item = study.items[1], study.items[2]
    single_item.response_type, single_item.options = ResponseType.SINGLE_CHOICE, ["A", "B", "C"]
    multi_item.response_type, multi_item.options = ResponseType.CHOOSE_UP_TO_K, ["X", "Y", "Z"]
    multi_item.max_choices = 2
    _db.session.commit()
    _, single, multi = round_.round_items
    for person, value in zip(people[:4], (1, 1, 3, None), strict=True):
        _answer(person, single, dimension, value)
    for person, keys in zip(people[:3], ((1, 2), (2,), (2, 3)), strict=True):
        for key in keys:
            _db.session.add(Answer(participant=person, round_item=multi, dimension=dimension,
                                   item_version=multi.item_version, option_key=key, value=1))
    _db.session.commit()
    result = results.round_results(round_)
    assert result.round_items == (round_.round_items[0].id,)
    assert result.option_shares == {
        single.id: {1: 2 / 3, 2: 0.0, 3: 1 / 3},
        multi.id: {1: 1 / 3, 2: 1.0, 3: 1 / 3},
    }
    assert result.option_respondents == {single.id: 3, multi.id: 3}


def test_a_round_without_rated_items_has_no_summary(small):
    study, round_, _people = small
    for item in study.items:
        item.response_type = ResponseType.OPEN_TEXT
    _db.session.commit()
    result = results.round_results(round_)
    assert (result.summary, result.classification, result.round_items) == (None, None, ())


def test_another_studys_dimension_is_refused(small):
    _study, round_, _people = small
    other = make_study(title="Another study")
    with pytest.raises(ValidationError, match="another study"):
        results.round_results(round_, other.dimensions[0])


# ---------------------------------------------------------------- snapshots


def _dump(snapshot_id: int) -> str:
    _db.session.expire_all()
    snapshot = _db.session.get(ResultSnapshot, snapshot_id)
    return json.dumps(
        [snapshot.counts, snapshot.rules, snapshot.quantile_method, snapshot.engine_version,
         snapshot.round_id, snapshot.dimension_id, snapshot.created_at.isoformat()],
        sort_keys=True, ensure_ascii=False)


def test_snapshot_is_unchanged_by_later_edits_reruns_and_answers(demo_round):
    study = demo_round.study
    at_publish = results.round_results(demo_round)
    now = utcnow()
    snapshots = results.publish_snapshot(demo_round, now=now)
    _db.session.commit()
    assert len(snapshots) == len(study.dimensions) == 1
    snapshot = snapshots[0]
    assert snapshot.engine_version == ENGINE_VERSION
    assert snapshot.quantile_method == "linear"
    assert snapshot.rules == [{"name": "COMET GRADE", "role": "primary",
                               "definition": COMET_GRADE.to_dict()}]
    assert snapshot.counts["groups"] == [group.name for group in study.groups]
    assert snapshot.created_at == now
    dumped = _dump(snapshot.id)

    item = study.items[0]
    items.update_item(item, by=study.memberships[0].user, expected_version=item.version,
                      text="Being alive a year later", domain=item.domain,
                      reason="Clearer wording")
    _db.session.commit()
    demo_round.round_items[0].item_version = item.current
    _db.session.execute(update(Answer).where(Answer.round_item_id.in_(
        [ri.id for ri in demo_round.round_items[1:4]])).values(value=1))
    _db.session.commit()
    changed = results.round_results(demo_round)
    assert changed != at_publish
    results.round_results(demo_round)

    assert _dump(snapshot.id) == dumped
    assert results.snapshot_results(_db.session.get(ResultSnapshot, snapshot.id)) == at_publish


def test_snapshot_results_equal_round_results_at_publishing(demo_round):
    before = results.round_results(demo_round)
    snapshot = results.publish_snapshot(demo_round)[0]
    _db.session.commit()
    rebuilt = results.snapshot_results(snapshot)
    assert rebuilt == before
    assert rebuilt.summary == before.summary
    npt.assert_array_equal(rebuilt.classification.status, before.classification.status)
    assert results.published_results(demo_round) == before
    assert results.snapshots_of(demo_round) == [snapshot]


def test_a_snapshot_refuses_changes(demo_round):
    snapshot = results.publish_snapshot(demo_round)[0]
    _db.session.commit()
    snapshot.engine_version = "0"
    with pytest.raises(StateError, match="fixed"):
        _db.session.flush()
    _db.session.rollback()


def test_publishing_twice_or_an_open_round_is_refused(demo_round, small):
    results.publish_snapshot(demo_round)
    _db.session.commit()
    with pytest.raises(StateError, match="published already"):
        results.publish_snapshot(demo_round)
    _study, open_round, _people = small
    with pytest.raises(RoundStateError, match="close it"):
        results.publish_snapshot(open_round)


def test_a_snapshot_keeps_choice_shares_and_every_dimension(small):
    study, round_, people = small
    item = study.items[2]
    item.response_type, item.options = ResponseType.SINGLE_CHOICE, ["A", "B"]
    feasibility = Dimension(study=study, name="Feasibility", scale=study.dimensions[0].scale,
                            position=1)
    _db.session.add(feasibility)
    _db.session.commit()
    _answer(people[0], round_.round_items[2], study.dimensions[0], 2)
    _answer(people[0], round_.round_items[0], feasibility, 3)
    round_.close()
    _db.session.commit()
    live = {dimension.id: results.round_results(round_, dimension)
            for dimension in study.dimensions}
    snapshots = results.publish_snapshot(round_)
    _db.session.commit()
    assert [s.dimension_id for s in snapshots] == [d.id for d in study.dimensions]
    for snapshot in snapshots:
        assert results.snapshot_results(snapshot) == live[snapshot.dimension_id]
    assert live[study.dimensions[0].id].option_shares == {round_.round_items[2].id: {1: 0.0,
                                                                                    2: 1.0}}
    assert live[feasibility.id].summary.n.tolist() == [1, 0]
    assert results.published_results(round_, feasibility) == live[feasibility.id]


# ---------------------------------------------------------------- queries


def _statements(function, *args) -> int:
    statements = []

    def count(_connection, _cursor, statement, *_args):
        if not statement.startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    _db.session.expire_all()
    engine = _db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        function(*args)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def _rated_round(n_items: int, n_people: int):
    study = make_study(owner=make_user(email=f"owner{n_items}@example.test"),
                       title=f"Study of {n_items}", n_items=n_items)
    study.rules.append(ConsensusRule(name="COMET GRADE", role=RuleRole.PRIMARY,
                                     definition=COMET_GRADE.to_dict()))
    round_ = study.rounds[0]
    for position, item in enumerate(study.items):
        round_.round_items.append(RoundItem(item=item, item_version=item.versions[0],
                                            position=position))
    round_.open(utcnow() - timedelta(days=1))
    _db.session.commit()
    for number in range(n_people):
        person = make_participant(study, group=study.groups[number % 3])
        _db.session.add(RoundParticipation(round=round_, participant=person,
                                           started_at=utcnow()))
        for position, round_item in enumerate(round_.round_items):
            _answer(person, round_item, study.dimensions[0], 1 + (number + position) % 9)
    _db.session.commit()
    return round_


def test_queries_do_not_grow_with_items_or_participants(db):
    small_round = _rated_round(3, 4)
    large_round = _rated_round(30, 40)
    small_count = _statements(results.round_results, small_round)
    large_count = _statements(results.round_results, large_round)
    assert small_count == large_count
    assert _statements(results.round_results, large_round) <= 10
    large_round.close()
    _db.session.commit()
    assert _statements(results.publish_snapshot, large_round) <= 14


def test_the_database_keeps_one_snapshot_per_round_and_dimension(demo_round):
    snapshot = results.publish_snapshot(demo_round)[0]
    _db.session.commit()
    _db.session.add(ResultSnapshot(round_id=demo_round.id, dimension_id=snapshot.dimension_id,
                                   counts={}, rules=[], engine_version=ENGINE_VERSION))
    with pytest.raises(IntegrityError):
        _db.session.flush()
    _db.session.rollback()
