"""The study report: each section agrees with the services it gathers from and with counts
made here from the rows we created; checklists print item numbers only when verified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import (
    Item,
    ItemVersion,
    Participant,
    ParticipantSource,
    ParticipantStatus,
    RoundParticipation,
    User,
)
from delphi.services import (
    design,
    feedback,
    item_history,
    participation,
    protocol,
    report,
    review,
    rounds,
    studies,
)

from ..factories import make_participant
from .test_review import GROUPS, LEFT, ROUND_1, ROUND_2_ITEMS, ReviewStudy, build_review_study

DEVIATION_REASON = "The steering group asked for a confirmation round."
REWORD_REASON = "Participants found the wording unclear."
RETIRE_REASON = "Out of scope after round 2."
MERGE_REASON = "Both statements describe the same outcome."
ADD_REASON = "The steering group found a gap."
ROUND_2_FEEDBACK = {"distribution": "groups", "percentage_sentence": True,
                    "show_status": True, "show_comments": True}


@dataclass
class ReportStudy:
    built: ReviewStudy
    self_registered: Participant
    withdrawn: Participant

    @property
    def study(self):
        return self.built.study

    @property
    def owner(self) -> User:
        return self.built.owner


def build_report_study(owner: User | None = None) -> ReportStudy:
    """The review study (16 people, round 1 published, round 2 closed) with round 2
    published too, its feedback chosen, round 1 published with no comments shown, the
    protocol fixed and changed once, one item reworded, one retired, two merged, and a
    self-registered and a withdrawn participant who never took part in a round, and an
    item added after round 2."""
    built = build_review_study(owner=owner)
    study, owner = built.study, built.owner
    protocol.fix_protocol(study, user=owner)
    _db.session.commit()
    design.update_protocol(study, owner, 4, study.carry_forward_policy, DEVIATION_REASON)
    built.second.feedback = dict(ROUND_2_FEEDBACK)
    built.first.shows_no_comments = True
    _db.session.commit()
    rounds.publish_round(built.second, owner)
    joined = make_participant(study, group=study.groups[0])
    joined.source = ParticipantSource.SELF_REGISTERED
    left = make_participant(study, group=study.groups[1])
    left.status = ParticipantStatus.WITHDRAWN
    _db.session.commit()
    fourth, third = study.items[3], study.items[2]
    item_history.reword(fourth, by=owner, expected_version=fourth.version,
                        text="Statement four, in plainer words", reason=REWORD_REASON)
    item_history.retire(third, by=owner, reason=RETIRE_REASON)
    item_history.merge_items([study.items[0], study.items[1]], by=owner, reason=MERGE_REASON,
                             keep=study.items[0])
    _db.session.add(Item(study=study, position=9, versions=[
        ItemVersion(number=1, text="Statement 6", change_reason=ADD_REASON)]))
    _db.session.commit()
    return ReportStudy(built, joined, left)


@pytest.fixture
def made(db):
    return build_report_study()


@pytest.fixture
def built_report(made):
    return report.study_report(made.study)


# ---------------------------------------------------------------- 1. composition


def test_composition_counts_groups_and_how_people_joined(made, built_report):
    rows = {row.name: row for row in built_report.composition.rows}
    assert list(rows) == [group.name for group in made.study.groups]
    for index, group in enumerate(made.study.groups):
        in_rounds = GROUPS.count(index)
        row = rows[group.name]
        assert row.target == group.target_number
        assert row.invited == in_rounds
        assert row.self_registered == (1 if index == 0 else 0)
        assert row.withdrawn == (1 if index == 1 else 0)
    recruited = {entry.group.name: entry.recruited
                 for entry in studies.group_recruitment(made.study)}
    assert {name: row.recruited for name, row in rows.items()} == recruited
    total = built_report.composition.total
    assert (total.recruited, total.self_registered, total.withdrawn) == (len(GROUPS) + 1, 1, 1)


# ---------------------------------------------------------------- 2. flow


def _counted(round_, group_id=None):
    """Invited, started and completed in ``round_`` counted from the rows (no test people)."""
    query = (select(func.count(RoundParticipation.invited_at),
                    func.count(RoundParticipation.started_at),
                    func.count(RoundParticipation.completed_at))
             .join(Participant, Participant.id == RoundParticipation.participant_id)
             .where(RoundParticipation.round_id == round_.id, Participant.is_test.is_(False)))
    if group_id is not None:
        query = query.where(Participant.group_id == group_id)
    return tuple(_db.session.execute(query).one())


def test_flow_is_the_participation_summary_and_the_rows(made, built_report):
    assert built_report.flow == participation.participation_summary(made.study)
    first, second = made.built.first, made.built.second
    assert _counted(first) == (16, 16, 16)
    assert _counted(second) == (16, 16, 16 - len(LEFT))
    for round_ in (first, second):
        summary = built_report.flow.for_round(round_)
        overall = summary.overall
        assert (overall.invited, overall.started, overall.completed) == _counted(round_)
        for group in made.study.groups:
            counts = summary.for_group(group)
            assert (counts.invited, counts.started, counts.completed) == _counted(round_,
                                                                                 group.id)
    assert [entry.number for entry in built_report.flow_rounds] == [1, 2]
    assert built_report.flow.for_round(2).overall.attrition == len(LEFT)
    assert built_report.flow.for_round(2).overall.response_rate == pytest.approx(11 / 16)


# ---------------------------------------------------------------- 3. protocol


def test_protocol_has_rules_in_words_when_fixed_and_the_deviation(made, built_report):
    section = built_report.protocol
    assert section.fixed_at == made.study.protocol_fixed_at is not None
    assert [rule.name for rule in section.rules] == [
        rule.name for rule in design.rules_in_order(made.study)]
    assert section.rules[0].role == "primary"
    assert section.rules[0].words == design.describe_rule(made.study.rules[0])
    assert "at least 70% rate 7–9" in section.rules[0].words
    assert all(rule.fixed_at == made.study.protocol_fixed_at for rule in section.rules)
    assert section.planned_rounds == 4
    assert section.carry_forward == design.CARRY_FORWARD_WORDS[made.study.carry_forward_policy]
    [deviation] = section.deviations
    assert deviation.what == "Planned rounds"
    assert (deviation.before, deviation.after) == ("3 rounds", "4 rounds")
    assert deviation.reason == DEVIATION_REASON
    assert deviation.change == "Planned rounds changed from 3 to 4."
    assert deviation.at is not None


def test_rule_deviations_are_described_on_both_sides(made):
    rule = made.study.rules[1]
    design.delete_rule(rule, made.owner, reason="Not pre-registered after all.")
    [_, removed] = report.protocol_section(made.study).deviations
    assert removed.what == "Consensus rules" and removed.after == "None"
    assert removed.before.startswith(f"“{rule.name}” (secondary): Consensus in:")
    assert removed.reason == "Not pre-registered after all."


# ---------------------------------------------------------------- 4. feedback


def test_feedback_per_round_in_words(made, built_report):
    first, second = built_report.feedback
    assert first.round == made.built.first and first.settings is None
    assert second.round == made.built.second
    settings = feedback.feedback_settings(made.built.second)
    assert second.settings == settings == feedback.FeedbackSettings(**ROUND_2_FEEDBACK)
    assert second.words == feedback.describe_feedback(settings)
    assert "each stakeholder group's scores" in second.words
    assert second.comments_withheld and not second.comments_shown


# ---------------------------------------------------------------- 5. items


def test_items_reworded_dropped_merged_and_decided_with_reasons(made, built_report):
    changes = built_report.items
    [reworded] = changes.reworded
    assert (reworded.before, reworded.text) == ("Statement 4", "Statement four, in plainer words")
    assert reworded.reason == REWORD_REASON
    [dropped] = changes.dropped
    assert (dropped.text, dropped.reason) == ("Statement 3", RETIRE_REASON)
    [merged] = changes.merged
    assert (merged.text, merged.reason) == ("Statement 2", MERGE_REASON)
    assert merged.detail == "Merged into “Statement 1”"
    [added] = changes.added
    assert (added.text, added.reason, added.detail) == ("Statement 6", ADD_REASON,
                                                        "Not rated yet")
    assert changes.decisions == tuple(rounds.round_decisions(made.study))
    [left] = changes.decisions[0].left_by_rule
    assert (left.text, left.reason) == ("Statement 5", "Consensus out")
    assert changes.trail == ()


# ---------------------------------------------------------------- 6 and 7. results, checks


def test_results_are_the_review_tables_of_published_rounds(made, built_report):
    assert [entry.round.number for entry in built_report.results] == [1, 2]
    for entry in built_report.results:
        number = entry.round.number
        assert entry.table == review.results_table(made.study, number)
        assert entry.sensitivity == review.rule_sensitivity(made.study, number)
    first, second = built_report.results
    assert [row.n for row in first.table.rows] == [16] * 5
    top = [row.percent["critical"] for row in first.table.rows]
    np.testing.assert_allclose(top, 100 * (ROUND_1 >= 7).mean(axis=0))
    assert len(second.table.rows) == ROUND_2_ITEMS
    assert [row.n for row in second.table.rows] == [16 - len(LEFT)] * ROUND_2_ITEMS
    assert [item.number for item in first.sensitivity.differing] == [2, 5]
    assert first.attrition is None
    check = review.attrition_check(made.study, 2)
    assert second.attrition.rows == check.rows
    assert (second.attrition.completed_first_round, second.attrition.lost) == (16, len(LEFT))
    assert second.flagged == tuple(row for row in check.rows if row.is_flagged)


# ---------------------------------------------------------------- 8. methods


def test_methods_paragraph_uses_the_real_settings(made, built_report):
    text = built_report.methods
    assert "Two rounds of a planned four were run on" in text
    assert "9-point scale from 1 to 9 (GRADE 1-9)" in text
    assert "1–3 “not important”" in text and "7–9 “critical”" in text
    assert design.describe_rule(made.study.rules[0]) in text
    assert "fixed before round 1 opened on" in text
    assert "“Lenient 50” as a sensitivity analysis" in text
    assert "fewer than 3 people were not shown" in text
    assert report.WITHDRAWAL_WORDS[made.study.withdrawal_policy] in text
    assert "In round 2, 11 of 16 invited participants completed" in text
    assert "The panel comprised 17 participants in three stakeholder groups" in text
    assert ("Of these, 16 were invited by the study team and 1 registered through an open "
            "link") in text
    assert "There was one deviation from the fixed protocol, reported with its reason." in text
    assert "We conducted a Delphi study, “Outcomes that matter after a stroke”." in text
    assert "Before rating in round 2, participants saw each stakeholder group's" in text
    assert "No comments were shown, as round 1 was published without them." in text


# ---------------------------------------------------------------- checklists

CHECKLIST = """
name: Test checklist
source: A. Author. A checklist. Journal 2024.
read_on: 2026-11-25
verified: false
topics:
  - section: Methods
    topic: How consensus was defined
    covered_by: protocol
    number: 7
    title: Consensus definition
    verified: true
  - section: Methods
    topic: The rating scale
    covered_by: methods
    number: 8
    title: Unchecked title
  - section: Discussion
    topic: Limitations
    covered_by: null
"""


def test_only_verified_items_keep_their_number_and_title():
    checklist = report.parse_checklist("test", CHECKLIST)
    verified, unverified, to_write = checklist.topics
    assert verified.label == "7. Consensus definition"
    assert unverified.label == "The rating scale"
    assert (unverified.number, unverified.title) == (None, None)
    assert checklist.covered == (verified, unverified)
    assert checklist.to_write == (to_write,)
    assert to_write.section_name is None
    assert verified.section_name == report.SECTIONS["protocol"]
    assert checklist.read_on == date(2026, 11, 25) and not checklist.verified


@pytest.mark.parametrize(("text", "message"), [
    (CHECKLIST.replace("covered_by: protocol", "covered_by: nowhere"), "not a section"),
    (CHECKLIST.replace("read_on: 2026-11-25\n", ""), "missing read_on"),
    (CHECKLIST.replace("read_on: 2026-11-25", "read_on: soon"), "must be a date"),
    (CHECKLIST.replace("    topic: Limitations\n", ""), "needs a section and a topic"),
    ("- a list", "must hold a mapping"),
])
def test_malformed_checklists_are_refused(text, message):
    with pytest.raises(report.ChecklistError, match=message):
        report.parse_checklist("test", text)


def test_shipped_checklists_load_with_numbers_only_where_verified():
    checklists = report.load_checklists()
    assert [checklist.key for checklist in checklists] == ["accord", "cos_star", "delphistar"]
    for checklist in checklists:
        assert isinstance(checklist.read_on, date)
        assert checklist.source and checklist.note
        assert all(topic.number is None and topic.title is None
                   for topic in checklist.topics if not topic.verified)
        assert checklist.covered and checklist.to_write
        assert {topic.covered_by for topic in checklist.covered} <= set(report.SECTIONS)
