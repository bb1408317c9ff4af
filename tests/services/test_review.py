"""The steering review: results tables, rule sensitivity, attrition bias, item pages and round
comparisons agree with the published snapshot and with numbers computed independently here
from the ratings we created."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.testing as npt
import pytest
from scipy import stats
from sqlalchemy import event

from delphi import engine
from delphi.engine import COMET_GRADE, GRADE_9, Criterion, holm, stability_counts, summarise
from delphi.errors import NotFound, RoundStateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    Comment,
    ConsensusRule,
    ItemDecision,
    ModerationState,
    Participant,
    ResponseType,
    Round,
    RoundItem,
    RoundParticipation,
    RuleRole,
    Study,
    User,
    utcnow,
)
from delphi.services import results, review, rounds

from ..factories import make_participant, make_study, make_user

LENIENT = engine.ConsensusRule(
    name="Lenient 50",
    consensus_in=(Criterion("percent", ">=", 50, band=(7, 9)),),
    consensus_out=(Criterion("percent", ">=", 50, band=(1, 3)),),
    scale_range=(1, 9),
)

#: Round 1: 16 participants (8 patients and carers, 6 nurses, 2 doctors) x 5 items.
ROUND_1 = np.array([
    [9, 8, 9, 7, 8, 9, 9, 8, 7, 9, 8, 9, 8, 7, 9, 8],  # consensus in under both rules
    [7, 8, 9, 7, 8, 9, 7, 8, 9, 7, 5, 5, 6, 4, 5, 6],  # 62.5 % high: only the lenient rule
    [1, 2, 1, 3, 2, 1, 2, 3, 1, 2, 1, 2, 3, 2, 1, 1],  # consensus out under both
    [1, 9, 5, 5, 2, 8, 4, 6, 3, 7, 5, 5, 9, 1, 6, 4],  # no consensus under both
    [1, 2, 3, 1, 2, 3, 1, 2, 3, 5, 5, 6, 4, 5, 6, 4],  # 56 % low: only the lenient rule
]).T
GROUPS = [0] * 8 + [1] * 6 + [2] * 2
LEFT = (1, 3, 5, 9, 11)
"""Participants who completed round 1 but not round 2."""
ROUND_2_ITEMS = 4
"""Round 2 shows items 1-4 (item 5 was retired by rule)."""


def _round_2_ratings() -> np.ndarray:
    change = np.zeros_like(ROUND_1[:, :ROUND_2_ITEMS])
    change[:, 1] = np.where(ROUND_1[:, 1] < 7, 2, 0)
    change[:, 3] = np.where(np.arange(16) % 2, 1, -1)
    return np.clip(ROUND_1[:, :ROUND_2_ITEMS] + change, 1, 9)


ROUND_2 = _round_2_ratings()


@dataclass
class ReviewStudy:
    """The study the review tests read: round 1 published, round 2 closed, round 3 draft."""

    study: Study
    owner: User
    people: list[Participant]
    first: Round
    second: Round
    third: Round

    @property
    def stayed(self) -> np.ndarray:
        return np.array([index not in LEFT for index in range(len(self.people))])


def _take_part(person, round_, ratings, dimension, completed=True):
    now = utcnow()
    _db.session.add(RoundParticipation(round=round_, participant=person, invited_at=now,
                                       started_at=now, completed_at=now if completed else None))
    for round_item, value in zip(round_.round_items, ratings, strict=True):
        _db.session.add(Answer(participant=person, round_item=round_item, dimension=dimension,
                               item_version=round_item.item_version, value=int(value)))


def _show(round_, items):
    for position, item in enumerate(items):
        round_.round_items.append(RoundItem(item=item, item_version=item.versions[0],
                                            position=position))


def build_review_study(owner: User | None = None) -> ReviewStudy:
    """Round 1 published (with an approved and a hidden comment, item 5 retired by rule),
    round 2 closed and not published, round 3 a draft; a test participant who never counts."""
    owner = owner or make_user()
    study = make_study(owner=owner, n_items=5)
    study.min_group_size = 3
    for item in study.items[3:]:
        item.domain = "Social"
    study.rules.append(ConsensusRule(name=COMET_GRADE.name, role=RuleRole.PRIMARY,
                                     definition=COMET_GRADE.to_dict()))
    study.rules.append(ConsensusRule(name=LENIENT.name, role=RuleRole.SECONDARY,
                                     definition=LENIENT.to_dict()))
    first = study.rounds[0]
    _show(first, study.items)
    first.open()
    _db.session.commit()
    dimension = study.dimensions[0]
    people = [make_participant(study, group=study.groups[group]) for group in GROUPS]
    tester = Participant(study=study, group=study.groups[2], pseudonym="T-1", is_test=True)
    _db.session.add(tester)
    for person, ratings in zip(people, ROUND_1, strict=True):
        _take_part(person, first, ratings, dimension)
    _take_part(tester, first, [1] * 5, dimension)
    item_one = first.round_items[0]
    _db.session.add(Comment(participant=people[0], round_item=item_one,
                            original_text="Matters most.", shown_text="Matters most.",
                            moderation_state=ModerationState.APPROVED))
    _db.session.add(Comment(participant=people[2], round_item=item_one,
                            original_text="Rude words", shown_text="",
                            moderation_state=ModerationState.HIDDEN))
    _db.session.commit()
    rounds.close_round(first, owner)
    first.round_items[4].decision = ItemDecision.RETIRED_BY_RULE
    first.round_items[4].decision_reason = "Consensus out"
    _db.session.commit()
    rounds.publish_round(first, owner)

    second = Round(study=study, number=2)
    _db.session.add(second)
    _show(second, study.items[:ROUND_2_ITEMS])
    second.open()
    _db.session.commit()
    for index, (person, ratings) in enumerate(zip(people, ROUND_2, strict=True)):
        _take_part(person, second, ratings, dimension, completed=index not in LEFT)
        if index in LEFT:  # started but did not finish: their answers are dropped here
            _db.session.query(Answer).filter(
                Answer.participant_id == person.id,
                Answer.round_item_id.in_([ri.id for ri in second.round_items])).delete()
    _take_part(tester, second, [9] * ROUND_2_ITEMS, dimension)
    _db.session.commit()
    rounds.close_round(second, owner)
    third = Round(study=study, number=3)
    _db.session.add(third)
    _db.session.commit()
    return ReviewStudy(study, owner, people, first, second, third)


@pytest.fixture
def built(db):
    return build_review_study()


# ---------------------------------------------------------------- which rounds


def test_published_rounds_come_from_the_snapshot_closed_ones_live(built):
    first = review.reviewed_round(built.study, 1)
    assert first.is_published and first.results == results.published_results(built.first)
    assert [rule["name"] for rule in first.rules] == [COMET_GRADE.name, LENIENT.name]
    second = review.reviewed_round(built.study, 2)
    assert not second.is_published and second.results == results.round_results(built.second)
    assert review.reviewable_rounds(built.study) == [built.first, built.second]


def test_draft_and_open_rounds_are_refused(built):
    with pytest.raises(RoundStateError, match="has not opened yet"):
        review.reviewed_round(built.study, 3)
    built.third.open()
    _db.session.commit()
    with pytest.raises(RoundStateError, match="still open"):
        review.results_table(built.study, 3)
    with pytest.raises(NotFound):
        review.reviewed_round(built.study, 9)


# ---------------------------------------------------------------- results table


def test_results_table_equals_the_snapshot_and_numpy(built):
    table = review.results_table(built.study, 1)
    snapshot = results.published_results(built.first)
    assert [row.number for row in table.rows] == [1, 2, 3, 4, 5]
    assert table.reviewed.is_published and table.previous is None
    assert table.bands == ("not important", "important but not critical", "critical")
    assert table.top_band == "critical"
    for index, row in enumerate(table.rows):
        ratings = ROUND_1[:, index]
        assert row.n == snapshot.summary.n[index] == 16
        assert row.median == snapshot.summary.median[index] == np.median(ratings)
        assert row.q1 == pytest.approx(np.quantile(ratings, 0.25))
        assert row.q3 == pytest.approx(np.quantile(ratings, 0.75))
        assert row.percent["critical"] == pytest.approx(100 * np.mean(ratings >= 7))
        assert row.percent["not important"] == pytest.approx(100 * np.mean(ratings <= 3))
        assert row.status == snapshot.classification.status[index]
        assert row.text == f"Statement {index + 1}"
        assert row.median_change is None and row.top_change is None
    assert [row.status for row in table.rows] == [
        "consensus_in", "no_consensus", "consensus_out", "no_consensus", "no_consensus"]


def test_change_from_the_last_round(built):
    table = review.results_table(built.study, 2)
    assert not table.reviewed.is_published
    assert table.previous.round == built.first
    stayers = ROUND_2[built.stayed]
    for index, row in enumerate(table.rows):
        assert row.n == built.stayed.sum()
        assert row.median_change == pytest.approx(
            np.median(stayers[:, index]) - np.median(ROUND_1[:, index]))
        assert row.top_change == pytest.approx(
            100 * np.mean(stayers[:, index] >= 7) - 100 * np.mean(ROUND_1[:, index] >= 7))


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("sort", ["median", "n", "iqr", "band-3", "status", "top_change"])
def test_sorting(built, sort, direction):
    table = review.results_table(built.study, 1, sort=sort, direction=direction)
    assert (table.sort, table.direction) == (sort, direction)
    order = review._vocabulary(["consensus_in"])
    values = [review._sort_value(row, sort, table.bands, order) for row in table.rows]
    present = [value for value in values if value is not None]
    assert present == sorted(present, reverse=direction == "desc")
    assert values[len(present):] == [None] * (len(values) - len(present))
    assert len(table.rows) == 5


def test_ties_keep_item_order_and_unknown_sorting_falls_back(built):
    table = review.results_table(built.study, 1, sort="n", direction="desc")
    assert [row.number for row in table.rows] == [1, 2, 3, 4, 5]
    table = review.results_table(built.study, 1, sort="nonsense", direction="sideways")
    assert (table.sort, table.direction) == ("number", "asc")


def test_filtering_by_status_and_domain(built):
    table = review.results_table(built.study, 1, status="no_consensus")
    assert [row.number for row in table.rows] == [2, 4, 5] and table.n_items == 5
    table = review.results_table(built.study, 1, status="no_consensus", domain="Social")
    assert [row.number for row in table.rows] == [4, 5]
    assert table.domains == ("Physical", "Social")
    table = review.results_table(built.study, 1, status="made_up", domain="Nowhere")
    assert (table.status, table.domain, len(table.rows)) == (None, None, 5)


def test_a_group_shows_its_own_figures_and_small_groups_none(built):
    patients, doctors = built.study.groups[0], built.study.groups[2]
    table = review.results_table(built.study, 1, group_id=patients.id)
    assert table.group == (patients.id, patients.name)
    mine = ROUND_1[np.array(GROUPS) == 0]
    for index, row in enumerate(table.rows):
        assert not row.is_suppressed and row.n == 8
        assert row.median == np.median(mine[:, index])
        assert row.percent["critical"] == pytest.approx(100 * np.mean(mine[:, index] >= 7))
    table = review.results_table(built.study, 1, group_id=doctors.id)
    for row in table.rows:
        assert row.is_suppressed
        assert (row.n, row.median, row.iqr, row.status, row.median_change) == (None,) * 5
        assert set(row.percent.values()) == {None}
    assert review.results_table(built.study, 1, group_id=99999).group is None


# ---------------------------------------------------------------- rule sensitivity


def test_rule_sensitivity_lists_exactly_the_items_that_differ(built):
    sensitivity = review.rule_sensitivity(built.study, 1)
    comparison = results.published_results(built.first).comparison
    statuses = np.stack(list(comparison.status.values()))
    differ = [index + 1 for index in range(5) if len(set(statuses[:, index])) > 1]
    assert differ == [2, 5]
    assert [item.number for item in sensitivity.differing] == differ
    assert sensitivity.differing[0].statuses == ("no_consensus", "consensus_in")
    assert sensitivity.differing[1].statuses == ("no_consensus", "consensus_out")
    primary, lenient = sensitivity.rules
    assert (primary.name, primary.role, lenient.role) == (COMET_GRADE.name, "primary",
                                                          "secondary")
    assert dict(primary.counts) == {"consensus_in": 1, "no_consensus": 3, "consensus_out": 1}
    assert dict(lenient.counts) == {"consensus_in": 2, "no_consensus": 1, "consensus_out": 2}
    assert primary.words.startswith("Consensus in: at least 70%")
    assert lenient.words.startswith("Consensus in: at least 50%")


def test_without_rules_there_is_nothing_to_compare(built):
    built.study.rules.clear()
    _db.session.commit()
    sensitivity = review.rule_sensitivity(built.study, 2)
    assert (sensitivity.rules, sensitivity.differing, sensitivity.n_items) == ((), (), 4)


# ---------------------------------------------------------------- attrition bias


def test_attrition_counts_and_engine_result_match_scipy(built):
    check = review.attrition_check(built.study, 2)
    stayed = built.stayed
    assert (check.completed_first_round, check.lost) == (16, len(LEFT))
    assert check.top_band == "critical" and len(check.rows) == 5
    mann_whitney, fisher = [], []
    for index in range(5):
        kept, gone = ROUND_1[stayed, index], ROUND_1[~stayed, index]
        mann_whitney.append(stats.mannwhitneyu(kept, gone).pvalue)
        table = [[np.sum(kept >= 7), np.sum(kept < 7)], [np.sum(gone >= 7), np.sum(gone < 7)]]
        fisher.append(stats.fisher_exact(table).pvalue)
        row = check.rows[index]
        assert (row.n_stayed, row.n_left) == (stayed.sum(), len(LEFT))
        assert row.median_difference == pytest.approx(np.median(kept) - np.median(gone))
        assert row.percent_difference == pytest.approx(
            100 * np.mean(kept >= 7) - 100 * np.mean(gone >= 7))
    npt.assert_allclose([row.mann_whitney_p for row in check.rows], holm(mann_whitney))
    npt.assert_allclose([row.fisher_p for row in check.rows], holm(fisher))
    for row in check.rows:
        assert row.is_flagged == (min(row.mann_whitney_p, row.fisher_p) < review.FLAG_P)


def test_attrition_hides_items_with_too_few_leavers(built):
    built.study.min_group_size = 6
    _db.session.commit()
    check = review.attrition_check(built.study, 2)
    assert all(row.is_suppressed and row.n_left is None and row.median_difference is None
               and not row.is_flagged for row in check.rows)


def test_round_one_has_no_attrition(built):
    check = review.attrition_check(built.study, 1)
    assert check.rows == () and check.first is None and check.lost == 0


# ---------------------------------------------------------------- item page


def test_item_review_history_results_comments_and_decisions(built):
    item = built.study.items[0]
    page = review.item_review(built.study, item)
    assert [entry.reviewed.round.number for entry in page.rounds] == [1, 2]
    first, second = page.rounds
    assert first.comments == ("Matters most.",) and second.comments == ()
    assert first.row.median == np.median(ROUND_1[:, 0])
    assert second.row.median == np.median(ROUND_2[built.stayed, 0])
    assert first.reviewed.is_published and not second.reviewed.is_published
    assert page.history.versions[0].version.text == "Statement 1"
    retired = review.item_review(built.study, built.study.items[4])
    assert [entry.reviewed.round.number for entry in retired.rounds] == [1]
    assert retired.rounds[0].decision == rounds.DECISION_WORDS[ItemDecision.RETIRED_BY_RULE]
    assert retired.rounds[0].decision_reason == "Consensus out"


# ---------------------------------------------------------------- comparing rounds


def _independent_transitions(built) -> np.ndarray:
    table = np.zeros((ROUND_2_ITEMS, 9, 9), np.int64)
    for person in np.flatnonzero(built.stayed):
        for item in range(ROUND_2_ITEMS):
            table[item, ROUND_1[person, item] - 1, ROUND_2[person, item] - 1] += 1
    return table


def test_comparison_statuses_changes_and_stability(built):
    comparison = review.compare_rounds(built.study, 1, 2)
    assert [row.item_id for row in comparison.rows] == [i.id for i in built.study.items[:4]]
    expected = stability_counts(_independent_transitions(built), GRADE_9)
    npt.assert_array_equal(comparison.stability.transitions, expected.transitions)
    npt.assert_allclose(comparison.stability.percent_changed, expected.percent_changed)
    npt.assert_allclose(comparison.stability.wilcoxon_p, expected.wilcoxon_p, equal_nan=True)
    first = results.published_results(built.first)
    second = results.round_results(built.second)
    for index, row in enumerate(comparison.rows):
        assert row.n_paired == built.stayed.sum()
        assert row.status_from == first.classification.status[index]
        assert row.status_to == second.classification.status[index]
        assert row.median_change == pytest.approx(
            second.summary.median[index] - first.summary.median[index])
        assert row.mean_abs_change == pytest.approx(np.mean(np.abs(
            ROUND_2[built.stayed, index] - ROUND_1[built.stayed, index])))
    assert comparison.rows[0].percent_changed is not None
    assert review.default_comparison(built.study) == (1, 2)


def test_comparing_a_round_with_itself_or_an_open_one_is_refused(built):
    with pytest.raises(ValidationError, match="two different rounds"):
        review.compare_rounds(built.study, 2, 2)
    with pytest.raises(ValidationError, match="earlier round first"):
        review.compare_rounds(built.study, 2, 1)
    with pytest.raises(RoundStateError):
        review.compare_rounds(built.study, 2, 3)


def test_paired_and_attrition_counts_are_one_query_each(built):
    first, second = review.reviewed_round(built.study, 1), review.reviewed_round(built.study, 2)
    item_ids = list(second.results.item_ids)
    _db.session.flush()
    statements = []

    def count(_connection, _cursor, statement, *_args):
        if not statement.startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    engine = _db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        review.paired_transitions(first, second, item_ids)
        review.attrition_counts(first, built.second)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 2
    assert all("GROUP BY" in statement for statement in statements)


def test_summaries_agree_with_the_engine_on_raw_ratings(built):
    """The published figures are the engine's on the ratings we made (test participant out)."""
    raw = summarise(ROUND_1.astype(float), GRADE_9)
    npt.assert_array_equal(results.published_results(built.first).summary.median, raw.median)


def test_a_round_without_rated_items_has_empty_pages(built):
    for item in built.study.items:
        item.response_type = ResponseType.OPEN_TEXT
    _db.session.commit()
    table = review.results_table(built.study, 2, sort="median", group_id=built.study.groups[0].id)
    assert (table.rows, table.n_items, table.previous) == ((), 0, None)
    assert review.compare_rounds(built.study, 1, 2).rows == ()
    assert review.rule_sensitivity(built.study, 2).rules == ()
    assert review.item_review(built.study, built.study.items[0]).rounds[1].row is None
