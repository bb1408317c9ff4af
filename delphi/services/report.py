"""The study report: everything a consensus study must report, gathered from the services
that already hold it, and the reporting checklists it is read against.

Nothing here computes a statistic. Participation comes from
:func:`delphi.services.participation.participation_summary`, results, rule sensitivity and
attrition from :mod:`delphi.services.review` (published rounds only: a report describes
what was published), feedback from :mod:`delphi.services.feedback`, item changes from
:func:`delphi.services.item_history.item_history`,
:func:`delphi.services.rounds.round_decisions` and
:func:`delphi.services.suggestions.suggestion_trail`, and rules in words from
:func:`delphi.services.design.describe_rule`. The only counts made here are of
participants by stakeholder group and by how they joined (invited or self-registered).

**Sections.** :data:`SECTIONS` names the report's sections by key; a checklist topic's
``covered_by`` is one of these keys, or empty when the authors must write it themselves.

**Checklists** are data files in ``delphi/reporting`` (:data:`CHECKLISTS`). Each names its
source, the date it was read and whether its item numbers and titles were checked against
the published checklist. An item's number and title are kept only when that item is marked
``verified: true``; otherwise they are dropped on loading, so no page can print them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    CarryForwardPolicy,
    Item,
    ItemStatus,
    Participant,
    ParticipantSource,
    ParticipantStatus,
    ProtocolDeviation,
    Round,
    RoundState,
    RuleRole,
    StakeholderGroup,
    Study,
    StudyKind,
    WithdrawalPolicy,
    utcnow,
)
from . import (
    feedback,
    item_history,
    participation,
    protocol,
    report_priorities,
    review,
    rounds,
    suggestions,
)
from .design import CARRY_FORWARD_WORDS, describe_deviation, describe_rule, rules_in_order
from .scales import band_text

SECTIONS = {
    "composition": "Panel composition",
    "flow": "Participant flow and response",
    "protocol": "Consensus definition and protocol",
    "feedback": "Feedback shown each round",
    "items": "Items added, dropped, reworded and merged",
    "results": "Results",
    "priorities": "Priority setting: ranking, shortlist, workshop and CHNRI scores",
    "checks": "Rule sensitivity and attrition bias",
    "methods": "Methods (draft for the authors)",
}
"""The report's sections, by the key checklist topics use in ``covered_by``."""

CHECKLISTS = ("accord.yml", "cos_star.yml", "delphistar.yml")
"""The reporting checklists' data files in ``delphi/reporting``, in the order shown."""

WITHDRAWAL_WORDS = {
    WithdrawalPolicy.KEEP: "answers they had already given were kept in the analysis",
    WithdrawalPolicy.REMOVE: "answers they had already given were removed from the analysis",
}

KIND_WORDS = {StudyKind.DELPHI: "Delphi", StudyKind.PRIORITY_SETTING: "priority-setting",
              StudyKind.CHNRI: "CHNRI"}

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten")

CARRY_FORWARD_METHODS = {
    CarryForwardPolicy.NO_CONSENSUS: "Items that did not reach consensus were rated again in "
                                     "the next round",
    CarryForwardPolicy.ALL: "Every item was rated again in each round",
    CarryForwardPolicy.NONE: "Each round presented new items; no item was rated again",
}


def _day(value: datetime | date | None) -> str:
    """``4 March 2025`` (a stored UTC time read in Europe/London); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(rounds.LONDON).date()
    return f"{value.day} {value:%B %Y}"


# ---------------------------------------------------------------- panel composition


@dataclass(frozen=True)
class CompositionRow:
    """One stakeholder group's panel: target, recruited (not withdrawn, invited plus
    self-registered) and withdrawn. ``group`` is None for participants without a group."""

    group: StakeholderGroup | None
    target: int | None
    invited: int
    self_registered: int
    withdrawn: int

    @property
    def name(self) -> str:
        return self.group.name if self.group is not None else "No group"

    @property
    def recruited(self) -> int:
        return self.invited + self.self_registered


@dataclass(frozen=True)
class Composition:
    rows: tuple[CompositionRow, ...]

    @property
    def total(self) -> CompositionRow:
        targets = [row.target for row in self.rows if row.target is not None]
        return CompositionRow(None, sum(targets), sum(row.invited for row in self.rows),
                              sum(row.self_registered for row in self.rows),
                              sum(row.withdrawn for row in self.rows))


def panel_composition(study: Study) -> Composition:
    """Real participants per stakeholder group (test participants never count), split by
    how they joined; withdrawn participants are counted apart, as
    :func:`delphi.services.studies.group_recruitment` leaves them out of "recruited"."""
    counted = db.session.execute(
        select(Participant.group_id, Participant.source, Participant.status,
               func.count(Participant.id))
        .where(Participant.study_id == study.id, Participant.is_test.is_(False))
        .group_by(Participant.group_id, Participant.source, Participant.status)
    ).all()
    table: dict[int | None, list[int]] = {}
    for group_id, source, status, count in counted:
        entry = table.setdefault(group_id, [0, 0, 0])
        if status == ParticipantStatus.WITHDRAWN:
            entry[2] += count
        elif source == ParticipantSource.SELF_REGISTERED:
            entry[1] += count
        else:
            entry[0] += count
    rows = [CompositionRow(group, group.target_number, *table.get(group.id, [0, 0, 0]))
            for group in study.groups]
    if None in table:
        rows.append(CompositionRow(None, None, *table[None]))
    return Composition(tuple(rows))


# ---------------------------------------------------------------- protocol


@dataclass(frozen=True)
class RuleEntry:
    name: str
    role: str
    words: str
    fixed_at: datetime | None


@dataclass(frozen=True)
class DeviationEntry:
    """A deviation from the fixed protocol: the part changed, before and after in words."""

    what: str
    change: str
    before: str
    after: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class ProtocolSection:
    fixed_at: datetime | None
    rules: tuple[RuleEntry, ...]
    planned_rounds: int
    carry_forward: str
    deviations: tuple[DeviationEntry, ...]


def _side_words(what: str, side: Mapping[str, Any]) -> str:
    """One side (before or after) of a deviation in words."""
    if not side:
        return "None"
    if what == "planned_rounds":
        return f"{side.get('planned_rounds')} rounds"
    if what == "carry_forward_policy":
        return CARRY_FORWARD_WORDS[CarryForwardPolicy(side["carry_forward_policy"])]
    parts = []
    if side.get("primary"):
        parts.append(f"Primary rule: “{side['primary']}”.")
    if side.get("rule"):
        rule = side["rule"]
        parts.append(f"“{rule['name']}” ({rule['role']}): {describe_rule(rule['definition'])}")
    return " ".join(parts) or "None"


def _deviation(deviation: ProtocolDeviation) -> DeviationEntry:
    return DeviationEntry(
        what=protocol.PROTOCOL_PARTS.get(deviation.what, deviation.what),
        change=describe_deviation(deviation),
        before=_side_words(deviation.what, deviation.before or {}),
        after=_side_words(deviation.what, deviation.after or {}),
        reason=deviation.reason, at=deviation.created_at,
    )


def protocol_section(study: Study) -> ProtocolSection:
    """The consensus rules in words (primary first), when they were fixed, the planned
    rounds, the carry-forward policy and every deviation with its reason."""
    return ProtocolSection(
        fixed_at=study.protocol_fixed_at,
        rules=tuple(RuleEntry(rule.name, rule.role.value, describe_rule(rule), rule.fixed_at)
                    for rule in rules_in_order(study)),
        planned_rounds=study.planned_rounds,
        carry_forward=CARRY_FORWARD_WORDS[study.carry_forward_policy],
        deviations=tuple(_deviation(deviation) for deviation in protocol.deviations(study)),
    )


# ---------------------------------------------------------------- feedback


@dataclass(frozen=True)
class RoundFeedback:
    """What a round's participants saw about the round before (None for the first round).

    ``example`` is the feedback above the round's first item with feedback, for the
    report's picture of it. ``comments_withheld`` is True when the round before was
    published with no comments shown (:attr:`Round.shows_no_comments`), whatever this
    round's settings say.
    """

    round: Round
    settings: feedback.FeedbackSettings | None
    words: str
    comments_withheld: bool
    example: feedback.ItemFeedback | None = None

    @property
    def comments_shown(self) -> bool:
        return bool(self.settings and self.settings.show_comments
                    and not self.comments_withheld)


def feedback_section(study: Study) -> tuple[RoundFeedback, ...]:
    """Each round that has opened, with its feedback settings in words."""
    entries = []
    for round_ in rounds.rounds_of(study):
        if round_.state == RoundState.DRAFT:
            continue
        before = rounds.previous_round(round_)
        if before is None:
            entries.append(RoundFeedback(round_, None, "The first round: no feedback.", False))
            continue
        settings = feedback.feedback_settings(round_)
        entries.append(RoundFeedback(round_, settings, feedback.describe_feedback(settings),
                                     before.shows_no_comments,
                                     feedback.example_feedback(round_)))
    return tuple(entries)


# ---------------------------------------------------------------- item changes


@dataclass(frozen=True)
class ItemChange:
    """One change to an item: what happened, the wording (before and after for a
    rewording), when and why."""

    item: Item
    text: str
    before: str
    reason: str
    at: datetime | None
    detail: str = ""


@dataclass(frozen=True)
class ItemChanges:
    added: tuple[ItemChange, ...]
    dropped: tuple[ItemChange, ...]
    reworded: tuple[ItemChange, ...]
    merged: tuple[ItemChange, ...]
    decisions: tuple[rounds.RoundDecisions, ...]
    trail: tuple[suggestions.TrailEntry, ...]


LINK_WORDS = {"merged_from": "Merged from", "split_from": "Split from",
              "from_suggestion": "From a participant's suggestion"}


def _event(history: item_history.ItemHistory, label: str) -> item_history.HistoryEvent | None:
    found = [event for event in history.events if event.action == label]
    return found[-1] if found else None


def _is_added(item: Item, first_round: int | None, opening: Round) -> bool:
    """Added after the first round: first rated in a later round, or in use and made
    after the first round opened but not rated yet."""
    if first_round is not None:
        return first_round > opening.number
    return item.status == ItemStatus.ACTIVE and item.created_at > opening.opened_at


def item_changes(study: Study) -> ItemChanges:
    """Items added after the first round, dropped (retired), reworded and merged, each
    with its reason from the item's history; what the rounds decided about each item;
    and the trail from participants' suggestions to items."""
    added, dropped, reworded, merged = [], [], [], []
    run = [round_ for round_ in rounds.rounds_of(study) if round_.opened_at is not None]
    for item in sorted(study.items, key=lambda item: (item.position, item.id)):
        history = item_history.item_history(item)
        current = item.versions[-1].text if item.versions else ""
        first_round = history.rounds[0].round.number if history.rounds else None
        if run and _is_added(item, first_round, run[0]):
            sources = "; ".join(
                LINK_WORDS.get(link.kind, link.kind)
                + (f" “{link.item.versions[-1].text}”" if link.item is not None else "")
                for link in history.came_from
            )
            timing = (f"First rated in round {first_round}" if first_round is not None
                      else "Not rated yet")
            first = item.versions[0] if item.versions else None
            added.append(ItemChange(
                item, current, "", first.change_reason if first else "",
                first.created_at if first else None,
                detail=f"{sources}. {timing}" if sources else timing))
        for older, newer in zip(history.versions, history.versions[1:], strict=False):
            reworded.append(ItemChange(item, newer.version.text, older.version.text,
                                       newer.version.change_reason, newer.version.created_at,
                                       detail=f"Version {newer.version.number}"))
        if item.status == ItemStatus.REMOVED:
            event = _event(history, "Retired")
            dropped.append(ItemChange(item, current, "", event.reason if event else "",
                                      event.at if event else None))
        elif item.status == ItemStatus.MERGED:
            event = _event(history, "Merged into another item")
            into = "; ".join(f"“{link.item.versions[-1].text}”" for link in history.went_to
                             if link.item is not None and link.kind == "merged_from")
            merged.append(ItemChange(item, current, "", event.reason if event else "",
                                     event.at if event else None,
                                     detail=f"Merged into {into}" if into else ""))
    return ItemChanges(tuple(added), tuple(dropped), tuple(reworded), tuple(merged),
                       tuple(rounds.round_decisions(study)),
                       tuple(suggestions.suggestion_trail(study)))


# ---------------------------------------------------------------- results and checks


@dataclass(frozen=True)
class RoundResultsSection:
    """A published round's results table, its rules compared and (after round 1) the
    attrition-bias check, all as the review pages show them."""

    round: Round
    table: review.ResultsTable
    sensitivity: review.RuleSensitivity
    attrition: review.AttritionCheck | None

    @property
    def flagged(self) -> tuple[review.AttritionRow, ...]:
        return tuple(row for row in self.attrition.rows if row.is_flagged) \
            if self.attrition else ()


def published_rounds(study: Study) -> list[Round]:
    return [round_ for round_ in rounds.rounds_of(study)
            if round_.state == RoundState.PUBLISHED]


def results_sections(study: Study) -> tuple[RoundResultsSection, ...]:
    """Every published round's results, rule sensitivity and attrition check."""
    return tuple(
        RoundResultsSection(
            round_, review.results_table(study, round_.number),
            review.rule_sensitivity(study, round_.number),
            review.attrition_check(study, round_.number) if round_.number > 1 else None)
        for round_ in published_rounds(study)
    )


# ---------------------------------------------------------------- checklists


@dataclass(frozen=True)
class ChecklistTopic:
    """A topic a checklist asks authors to report. ``number`` and ``title`` are None unless
    the data file marks the item verified against the published checklist."""

    section: str
    topic: str
    covered_by: str | None
    verified: bool = False
    number: str | None = None
    title: str | None = None

    @property
    def label(self) -> str:
        """What the report prints: "12. Title" for a verified item, else the topic."""
        if self.verified and self.number and self.title:
            return f"{self.number}. {self.title}"
        return self.topic

    @property
    def section_name(self) -> str | None:
        """The report section that covers the topic, by name; None when authors write it."""
        return SECTIONS.get(self.covered_by) if self.covered_by else None


@dataclass(frozen=True)
class Checklist:
    key: str
    name: str
    source: str
    read_on: date
    verified: bool
    note: str
    topics: tuple[ChecklistTopic, ...]

    @property
    def covered(self) -> tuple[ChecklistTopic, ...]:
        return tuple(topic for topic in self.topics if topic.covered_by)

    @property
    def to_write(self) -> tuple[ChecklistTopic, ...]:
        return tuple(topic for topic in self.topics if not topic.covered_by)


class ChecklistError(ValueError):
    """A checklist data file is malformed; the message names the file and the fault."""


def _topic(key: str, entry: Any) -> ChecklistTopic:
    if not isinstance(entry, Mapping) or not entry.get("section") or not entry.get("topic"):
        raise ChecklistError(f"{key}: every topic needs a section and a topic.")
    covered_by = entry.get("covered_by") or None
    if covered_by is not None and covered_by not in SECTIONS:
        raise ChecklistError(f"{key}: “{covered_by}” is not a section of the report "
                             f"(one of {', '.join(SECTIONS)}).")
    verified = entry.get("verified") is True
    number, title = entry.get("number"), entry.get("title")
    return ChecklistTopic(
        section=str(entry["section"]), topic=str(entry["topic"]), covered_by=covered_by,
        verified=verified,
        number=str(number) if verified and number is not None else None,
        title=str(title) if verified and title else None,
    )


def parse_checklist(key: str, text: str) -> Checklist:
    """A checklist from its YAML text (see docs/report.md for the fields).

    Raises
    ------
    ChecklistError
        A field is missing or a topic names no section of the report.
    """
    data = yaml.safe_load(text)
    if not isinstance(data, Mapping):
        raise ChecklistError(f"{key}: the file must hold a mapping.")
    missing = [name for name in ("name", "source", "read_on", "topics") if not data.get(name)]
    if missing:
        raise ChecklistError(f"{key}: missing {', '.join(missing)}.")
    read_on = data["read_on"]
    if not isinstance(read_on, date):
        raise ChecklistError(f"{key}: read_on must be a date (YYYY-MM-DD).")
    return Checklist(
        key=key, name=str(data["name"]), source=str(data["source"]).strip(), read_on=read_on,
        verified=data.get("verified") is True, note=str(data.get("note") or "").strip(),
        topics=tuple(_topic(key, entry) for entry in data["topics"]),
    )


def load_checklists(names: Sequence[str] = CHECKLISTS) -> tuple[Checklist, ...]:
    """The reporting checklists shipped with the app (package data), in order."""
    folder = resources.files("delphi") / "reporting"
    return tuple(parse_checklist(name.removesuffix(".yml"),
                                 (folder / name).read_text(encoding="utf-8"))
                 for name in names)


# ---------------------------------------------------------------- methods paragraph


def _count(number: int, capital: bool = False) -> str:
    """A count as academic prose writes it: words up to ten, digits above."""
    words = NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)
    return words[0].upper() + words[1:] if capital else words


def _feedback_methods(entry: RoundFeedback) -> str:
    """One round's feedback for the methods paragraph, in the past tense."""
    words = entry.words.replace("Participants see ", "participants saw ", 1)
    words = words.replace(". Not shown: ", "; they were not shown ", 1)
    sentence = f"Before rating in round {entry.round.number}, {words}"
    if entry.comments_withheld:
        sentence += (f" No comments were shown, as round {entry.round.number - 1} was "
                     "published without them.")
    return sentence


def _listed(parts: Sequence[str]) -> str:
    parts = [part for part in parts if part]
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _scale_words(study: Study) -> str:
    if not study.dimensions:
        return ""
    dimension = study.dimensions[0]
    scale = dimension.scale
    bands = sorted((scale.bands or {}).items(), key=lambda band: band[1][0])
    words = (f"Participants rated each item for {dimension.name.lower()} on a "
             f"{scale.maximum - scale.minimum + 1}-point scale from {scale.minimum} to "
             f"{scale.maximum}" + (f" ({scale.name})" if scale.name else ""))
    if bands:
        words += ", grouped as " + _listed(
            [f"{band_text(low, high)} “{name}”" for name, (low, high) in bands])
    if scale.offers_unable:
        words += "; an “unable to score” option was offered and not counted in the results"
    return words + "."


def methods_paragraph(study: Study, composition: Composition,
                      flow: participation.ParticipationSummary,
                      round_feedback: Sequence[RoundFeedback]) -> str:
    """A draft methods paragraph from the study's real settings, for authors to edit."""
    run = [round_ for round_ in rounds.rounds_of(study) if round_.opened_at is not None]
    total = composition.total
    sentences = [f"We conducted a {KIND_WORDS[study.kind]} study, “{study.title}”."]
    if run:
        ends = [round_.closed_at for round_ in run if round_.closed_at is not None]
        first, last = _day(run[0].opened_at), _day(max(ends)) if ends else ""
        span = (f"on {first}" if first == last else f"between {first} and {last}" if last
                else f"from {first}")
        sentences.append(
            f"{_count(len(run), capital=True)} round{'s' if len(run) != 1 else ''} of a "
            f"planned {_count(study.planned_rounds)} {'were' if len(run) != 1 else 'was'} "
            f"run {span}.")
    else:
        sentences.append(f"{_count(study.planned_rounds, capital=True)} rounds were planned; "
                         "none has run yet.")
    groups = _listed([f"{row.name.lower()} ({row.recruited})" for row in composition.rows
                      if row.recruited])
    sentences.append(
        f"The panel comprised {total.recruited} participants in {_count(len(study.groups))} "
        f"stakeholder groups" + (f": {groups}" if groups else "") + "."
        + (f" Of these, {total.invited} were invited by the study team and "
           f"{total.self_registered} registered through an open link."
           if total.self_registered else ""))
    for entry in flow.rounds:
        counts = entry.overall
        if counts.invited:
            sentences.append(
                f"In round {entry.number}, {counts.completed} of {counts.invited} invited "
                f"participants completed the questionnaire "
                f"({counts.response_rate:.0%}).")
    sentences.append(_scale_words(study))
    ordered = rules_in_order(study)
    primary = [rule for rule in ordered if rule.role == RuleRole.PRIMARY]
    if primary:
        fixed = (f", fixed before round 1 opened on {_day(study.protocol_fixed_at)}"
                 if study.protocol_fixed_at else "")
        sentences.append(f"The consensus definition{fixed}, was: {describe_rule(primary[0])}")
    others = [rule for rule in ordered if rule.role != RuleRole.PRIMARY]
    if others:
        sentences.append("Results were also classified under "
                         + _listed([f"“{rule.name}”" for rule in others])
                         + " as a sensitivity analysis.")
    sentences.append(CARRY_FORWARD_METHODS[study.carry_forward_policy] + ".")
    sentences.extend(_feedback_methods(entry) for entry in round_feedback
                     if entry.settings is not None)
    sentences.append(
        "Participants took part under pseudonyms; other panellists saw only summaries of "
        "the panel's ratings, never who gave them, and the figures of a stakeholder group "
        f"rated by fewer than {study.min_group_size} people were not shown.")
    sentences.append("Participants could withdraw at any time; "
                     f"{WITHDRAWAL_WORDS[study.withdrawal_policy]}.")
    count = len(study.deviations)
    if count:
        sentences.append(f"There {'was' if count == 1 else 'were'} {_count(count)} "
                         f"deviation{'s' if count != 1 else ''} from the fixed protocol, "
                         f"{'reported' if count == 1 else 'each reported'} with its reason.")
    return " ".join(sentence for sentence in sentences if sentence)


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class StudyReport:
    """Everything the report page shows, section by section (see :data:`SECTIONS`)."""

    study: Study
    made_at: datetime
    composition: Composition
    flow: participation.ParticipationSummary
    protocol: ProtocolSection
    feedback: tuple[RoundFeedback, ...]
    items: ItemChanges
    results: tuple[RoundResultsSection, ...]
    priorities: report_priorities.PrioritySection
    methods: str
    checklists: tuple[Checklist, ...]

    @property
    def flow_rounds(self) -> tuple[participation.RoundSummary, ...]:
        """The participation of each round that has opened (a draft has none to report)."""
        opened = {round_.id for round_ in self.study.rounds if round_.opened_at is not None}
        return tuple(entry for entry in self.flow.rounds if entry.round_id in opened)

    def group_name(self, group_id: int | None) -> str:
        for group in self.study.groups:
            if group.id == group_id:
                return group.name
        return "No group"


def study_report(study: Study, now: datetime | None = None) -> StudyReport:
    """The study's report as it stands now.

    Raises
    ------
    StateError, ValidationError
        As :func:`delphi.services.review.load_round` for a published round.
    ChecklistError
        A checklist data file is malformed.
    """
    composition = panel_composition(study)
    flow = participation.participation_summary(study)
    round_feedback = feedback_section(study)
    return StudyReport(
        study=study, made_at=now or utcnow(), composition=composition, flow=flow,
        protocol=protocol_section(study), feedback=round_feedback,
        items=item_changes(study), results=results_sections(study),
        priorities=report_priorities.priority_section(study),
        methods=methods_paragraph(study, composition, flow, round_feedback),
        checklists=load_checklists(),
    )
