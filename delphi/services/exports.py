"""Downloads of a study's data: results, answers, codebook, comments, suggestions, item
histories, ranking rounds' results and the audit log, as CSV, XLSX or JSON files that open
cleanly in Excel, R and SPSS.

:func:`export` is the one entry point (the download pages and the JSON API both call it). It
builds a :class:`Table` from existing services (results from :mod:`.results`, comments from
:mod:`.moderation`, suggestions from :mod:`.suggestions`, histories from
:mod:`.item_history`), writes it in the format asked for and records an
``export.downloaded`` audit event.

- **Pseudonyms only.** No file carries a participant's e-mail address or reference; test
  participants never appear. The audit log names the team members who acted, so it is for
  owners and facilitators only.
- **Open rounds.** A round's data while it is open (live results, answers, comments) is for
  owners and facilitators, as on the dashboard; steering members get a round's data once it
  has closed.
- **Formula injection** (OWASP "CSV injection"): in CSV and XLSX files, a text cell that
  begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  apostrophe; numbers are written as numbers. JSON carries the text unchanged.
- **CSV**: UTF-8 with a byte order mark (so Excel reads it as UTF-8), CRLF line ends, the csv
  module's quoting. **XLSX**: text cells typed as strings, numbers numeric, a bold frozen
  header row. **JSON**: UTF-8, numbers as numbers, missing values (and NaN) as null.
- Flags are written 1 / 0, times as UTC ISO 8601 (``2026-03-02T09:00:00Z``). The columns
  are described in ``docs/exports.md`` and, for the answers, in the codebook export.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ..engine import small_cell_suppression
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..models import (
    Answer,
    AuditEvent,
    Dimension,
    Item,
    ItemVersion,
    ModerationState,
    Participant,
    Role,
    Round,
    RoundItem,
    RoundState,
    StakeholderGroup,
    Study,
    StudyKind,
    Suggestion,
    User,
    utcnow,
)
from . import audit, item_history, moderation, priority_exports, results, suggestions
from . import workshop as workshop_service
from .export_files import (
    ALL_GROUPS,
    CONTENT_TYPES,
    Cell,
    ExportFile,
    Table,
    number_cell,
    slug,
    utc_iso,
    write_csv,
    write_json,
    write_xlsx,
)
from .priority_exports import (
    chnri_table,
    ranking_rounds,
    rankings_table,
    trail_table,
    workshop_results_table,
    workshop_table,
)
from .studies import EDITOR_ROLES, role_in
from .transaction import unit_of_work

EXPORTS: Mapping[str, tuple[str, ...]] = {
    "results": ("csv", "xlsx", "json"),
    "answers": ("csv",),
    "codebook": ("csv",),
    "comments": ("csv", "xlsx"),
    "suggestions": ("csv", "xlsx"),
    "item-histories": ("csv",),
    "audit-log": ("csv",),
    "rankings": ("csv", "xlsx"),
    "trail": ("csv", "xlsx"),
    "workshop": ("csv", "xlsx"),
    "workshop-results": ("csv", "xlsx"),
    "chnri": ("csv", "xlsx"),
}
"""Each export's name and the formats it comes in."""

TITLES: Mapping[str, str] = {
    "results": "Results",
    "answers": "Answers",
    "codebook": "Codebook of the answers file",
    "comments": "Comments",
    "suggestions": "Suggestions",
    "item-histories": "Item histories",
    "audit-log": "Audit log",
    **priority_exports.TITLES,
}

DESCRIPTIONS: Mapping[str, str] = {
    "results": "One round's statistics and status for each rated item, overall and for "
               "each stakeholder group (small groups suppressed).",
    "answers": "Every answer, one row each, with the participant's pseudonym and stakeholder "
               "group (tidy long format).",
    "codebook": "What each column of the answers file means and the values it may hold.",
    "comments": "Participants' comments on items: what they wrote and what others were shown.",
    "suggestions": "Participants' suggested items, how they were grouped and the items made "
                   "from them.",
    "item-histories": "Every wording of every item, with reasons, authors, typo fixes, links "
                      "and events.",
    "audit-log": "Everything the study team did, and when (owners and facilitators only).",
    "rankings": "A ranking round's combined list (James Lind Alliance method) and each "
                "stakeholder group's own list: times chosen, points, mean rank, score and the "
                "shortlist.",
    "trail": "Each submission to the first survey: who sent it, its scope, the indicative "
             "question made from it, the evidence check, the interim survey place, the "
             "shortlist and the final workshop place.",
    "workshop": "Each small group's place for each shortlisted question, session by session, "
                "with who sat in the group.",
    "chnri": "Each closed CHNRI round's research options, best first: each criterion's score, "
             "the research priority score (weighted too, when weights are set), the average "
             "expert agreement and the number of scorers.",
    "workshop-results": "Each closed session's combined order (groups' places added up, lowest "
                        "total first): totals, spans, contested questions, ties at the top-10 "
                        "boundary and the final order.",
}

ROUND_REQUIRED = frozenset({"results"})
"""Exports that describe one round: they need a round number."""

ROUND_OPTIONAL = frozenset({"answers", "comments", "suggestions", "rankings"})
"""Exports of the whole study that may be narrowed to one round."""

EDITORS_ONLY = frozenset({"audit-log"})
"""Exports for owners and facilitators only."""

PRIORITY_SETTING_ONLY = frozenset({"trail"})
"""Exports listed on the downloads page of priority-setting studies only."""

WORKSHOP_ONLY = frozenset({"workshop", "workshop-results"})
"""Exports listed on the downloads page once the study has a final workshop."""

CHNRI_ONLY = frozenset({"chnri"})
"""Exports listed on the downloads page of CHNRI studies only."""

PUBLISHED_SOURCE = "published snapshot"
LIVE_SOURCE = "live, not final"



@dataclass(frozen=True)
class CodebookEntry:
    """One column of the answers file: its type, meaning and allowed values."""

    column: str
    type: str
    meaning: str
    allowed: str


# --- who may see what ------------------------------------------------------------------------


def _member_role(study: Study, by: User | None) -> Role | None:
    """``by``'s role in the study (None when nobody is named).

    Raises
    ------
    Forbidden
        ``by`` is not on the study's team.
    """
    if by is None:
        return None
    role = role_in(study, by)
    if role is None:
        raise Forbidden(f"You are not on the team of the study “{study.title}”.")
    return role


def _check_access(study: Study, name: str, by: User | None) -> Role | None:
    """``by``'s role in the study, if they may have this export (None when nobody is named).

    Raises
    ------
    Forbidden
        ``by`` is not on the study's team, or the export is for owners and facilitators.
    """
    role = _member_role(study, by)
    if name in EDITORS_ONLY and role is not None and role not in EDITOR_ROLES:
        raise Forbidden(f"The {TITLES[name].lower()} is for the study's owners and "
                        "facilitators only.")
    return role


def _sees_open_rounds(role: Role | None) -> bool:
    return role is None or role in EDITOR_ROLES


def _round(study: Study, number: int, role: Role | None) -> Round:
    """The study's round ``number``, if it has started and ``role`` may see its data.

    Raises
    ------
    NotFound
        The study has no such round.
    ValidationError
        The round has not opened yet, so it has no data.
    Forbidden
        The round is open and ``role`` is steering.
    """
    round_ = next((r for r in study.rounds if r.number == number), None)
    if round_ is None:
        raise NotFound(f"“{study.title}” has no round {number}.")
    if round_.state == RoundState.DRAFT:
        raise ValidationError(f"Round {number} has not opened yet, so it has nothing to export.")
    if round_.state == RoundState.OPEN and not _sees_open_rounds(role):
        raise Forbidden(f"Round {number} is still open. Its data is for owners and "
                        "facilitators until it closes.")
    return round_


def _rounds_for(study: Study, round_: Round | None, role: Role | None) -> list[Round]:
    """The rounds an export covers: ``round_``, else every round ``role`` may see."""
    if round_ is not None:
        return [round_]
    shown = {RoundState.CLOSED, RoundState.PUBLISHED}
    if _sees_open_rounds(role):
        shown.add(RoundState.OPEN)
    return [r for r in study.rounds if r.state in shown]


def _item_numbers(round_ids: Sequence[int]) -> dict[int, int]:
    """Round item id -> its number in its round (1 = first), as participants saw them."""
    numbers: dict[int, int] = {}
    counters: dict[int, int] = {}
    for round_item_id, round_id in db.session.execute(
        select(RoundItem.id, RoundItem.round_id).where(RoundItem.round_id.in_(round_ids))
        .order_by(RoundItem.round_id, RoundItem.position, RoundItem.id)
    ):
        counters[round_id] = counters.get(round_id, 0) + 1
        numbers[round_item_id] = counters[round_id]
    return numbers


# --- results ---------------------------------------------------------------------------------


def _round_results(round_: Round, dimension: Dimension) -> tuple[results.RoundResults, str]:
    if round_.state == RoundState.PUBLISHED:
        published = results.published_results(round_, dimension)
        if published is not None:
            return published, PUBLISHED_SOURCE
    return results.round_results(round_, dimension), LIVE_SOURCE


def results_table(study: Study, round_: Round) -> Table:
    """Each rated item of ``round_`` on each dimension: overall, then per stakeholder group.

    Figures come from the published snapshot when the round is published, else live from
    the answers (:mod:`delphi.services.results`); group figures resting on fewer than the
    study's minimum group size are blank and marked suppressed.
    """
    computed = [(dimension, *_round_results(round_, dimension)) for dimension in study.dimensions]
    if not computed:
        raise ValidationError("The study has no dimension to rate items on yet, so there "
                              "are no results.")
    first = next((found for _d, found, _s in computed if found.summary is not None), None)
    bands = tuple(first.summary.scale.bands) if first is not None else ()
    rules = tuple(first.comparison.status) if first is not None and first.comparison else ()
    # The comparison lists the primary rule first (as the dashboard's preview reads it).
    primary = rules[0] if rules and first is not None and first.classification else None
    rule_columns = tuple(f"status: {name}" + (" (primary)" if name == primary else "")
                         for name in rules)
    columns = (
        "source", "round", "dimension", "item number", "item id", "item version", "domain",
        "wording", "group", "suppressed", "n", "n unable", "n missing", "median", "Q1", "Q3",
        "IQR", "mean", "SD", *(f"% {band}" for band in bands), *rule_columns,
        "carried forward", "decision", "decision reason",
    )
    round_items = {ri.id: ri for ri in round_.round_items}
    numbers = _item_numbers([round_.id])
    version_ids = {vid for _d, found, _s in computed for vid in found.item_version_ids}
    versions = {row.id: row for row in db.session.execute(
        select(ItemVersion.id, ItemVersion.number, ItemVersion.text, Item.domain)
        .join(Item, Item.id == ItemVersion.item_id).where(ItemVersion.id.in_(version_ids)))}
    rows: list[tuple[Cell, ...]] = []
    for dimension, found, source in computed:
        summary = found.summary
        if summary is None:
            continue
        shown = small_cell_suppression(summary, max(1, study.min_group_size))
        group_row = {label: index for index, label in enumerate(summary.group_labels)}
        for index, round_item_id in enumerate(found.round_items):
            version = versions[found.item_version_ids[index]]
            round_item = round_items[round_item_id]
            lead = (source, round_.number, dimension.name, numbers[round_item_id],
                    found.item_ids[index], version.number, version.domain, version.text)
            statuses = tuple(found.comparison.status[name][index].item() if found.comparison
                             else None for name in rules)
            decision = (round_item.decision.value if round_item.decision else None,
                        round_item.decision_reason)
            rows.append((*lead, ALL_GROUPS, 0,
                         *_statistics(summary, index, bands), *statuses,
                         int(round_item.is_carried_forward), *decision))
            for label in found.group_names:
                hidden = bool(shown.suppressed[group_row[label], index])
                if hidden:
                    figures: tuple[Cell, ...] = (None,) * (9 + len(bands))
                    group_statuses: tuple[Cell, ...] = (None,) * len(rules)
                else:
                    figures = _statistics(summary.by_group[label], index, bands)
                    group_statuses = tuple(
                        found.classification.by_group[label][index].item()
                        if found.classification is not None and name == primary else None
                        for name in rules)
                rows.append((*lead, label, int(hidden), *figures, *group_statuses,
                             None, None, None))
    return Table(f"Round {round_.number} results", columns, rows)


def _statistics(summary, index: int, bands: Sequence[str]) -> tuple[Cell, ...]:
    """n, n unable, n missing, median, Q1, Q3, IQR, mean, SD and % per band of one item."""
    figures = [summary.n, summary.n_unable, summary.n_missing, summary.median, summary.q1,
               summary.q3, summary.iqr, summary.mean, summary.sd]
    return (*(number_cell(values[index]) for values in figures),
            *(number_cell(summary.percent[band][index]) if band in summary.percent else None
              for band in bands))


# --- answers and the codebook --------------------------------------------------------------

ANSWER_COLUMNS = (
    "study", "round", "pseudonym", "stakeholder group", "item id", "item number",
    "item version", "on current wording", "dimension", "value", "unable", "option key",
    "text", "change reason", "source", "answered at",
)


def answers_table(study: Study, rounds: Sequence[Round]) -> Table:
    """Every answer of real participants in ``rounds``, one row each, in one query."""
    round_ids = [round_.id for round_ in rounds]
    numbers = _item_numbers(round_ids)
    query = (
        select(Round.number, Participant.pseudonym, StakeholderGroup.name, RoundItem.item_id,
               RoundItem.id, RoundItem.item_version_id, Answer.item_version_id,
               ItemVersion.number, Dimension.name, Answer.value, Answer.is_unable,
               Answer.option_key, Answer.text, Answer.change_reason, Answer.source,
               Answer.updated_at)
        .select_from(Answer)
        .join(Participant, Participant.id == Answer.participant_id)
        .outerjoin(StakeholderGroup, StakeholderGroup.id == Participant.group_id)
        .join(RoundItem, RoundItem.id == Answer.round_item_id)
        .join(Round, Round.id == RoundItem.round_id)
        .join(ItemVersion, ItemVersion.id == Answer.item_version_id)
        .join(Dimension, Dimension.id == Answer.dimension_id)
        .where(Round.id.in_(round_ids), Participant.study_id == study.id,
               Participant.is_test.is_(False))
        .order_by(Round.number, Participant.pseudonym, RoundItem.position, RoundItem.id,
                  Dimension.position, Answer.item_version_id, Answer.option_key)
    )
    rows = [
        (study.id, round_number, pseudonym, group or "", item_id, numbers[round_item_id],
         version_number, int(shown_version == answered_version), dimension, value,
         int(is_unable), option_key, text or "", change_reason or "", source.value, answered_at)
        for (round_number, pseudonym, group, item_id, round_item_id, shown_version,
             answered_version, version_number, dimension, value, is_unable, option_key, text,
             change_reason, source, answered_at) in db.session.execute(query)
    ]
    return Table("Answers", ANSWER_COLUMNS, rows)


def codebook(study: Study | None = None) -> tuple[CodebookEntry, ...]:
    """The answers file's columns; with a study, its groups and dimensions as allowed values."""
    groups = dimensions = ""
    if study is not None:
        groups = "; ".join(group.name for group in study.groups)
        dimensions = "; ".join(
            f"{d.name} ({d.scale.minimum} to {d.scale.maximum})" for d in study.dimensions)
    return (
        CodebookEntry("study", "integer", "The study's number in this app.", "one number"),
        CodebookEntry("round", "integer", "The round the answer was given in.", "1, 2, 3 …"),
        CodebookEntry("pseudonym", "text",
                      "The participant's pseudonym; the same person has the same pseudonym in "
                      "every round. Never an e-mail address.", "any pseudonym"),
        CodebookEntry("stakeholder group", "text", "The participant's stakeholder group now; "
                      "empty when they have none.", groups or "the study's groups, or empty"),
        CodebookEntry("item id", "integer",
                      "The item's number in this app; the same across rounds.", "any number"),
        CodebookEntry("item number", "integer", "The item's place in the round as "
                      "participants saw it (1 = first).", "1 to the number of items"),
        CodebookEntry("item version", "integer",
                      "The wording the participant answered (1 = first wording; see the item "
                      "histories export).", "1, 2, 3 …"),
        CodebookEntry("on current wording", "0/1",
                      "1 when the answer is on the wording the round shows now and so counts "
                      "in the results; 0 after a change of meaning.", "0 or 1"),
        CodebookEntry("dimension", "text", "What the item was rated on.",
                      dimensions or "the study's dimensions"),
        CodebookEntry("value", "integer",
                      "Scale items: the score. Single-choice items: the chosen option's number "
                      "(1 = first option). Choose-up-to-k items: not used (the ticked option "
                      "is in option key). Empty when unable to score and for open answers.",
                      "a point of the dimension's scale, an option number, or empty"),
        CodebookEntry("unable", "0/1",
                      "1 when the participant chose \"unable to score\"; value is then empty "
                      "and the answer never enters a denominator.", "0 or 1"),
        CodebookEntry("option key", "integer",
                      "0 for scale, single-choice and open answers; for choose-up-to-k items "
                      "the ticked option's number (one row per ticked option).", "0, 1, 2 …"),
        CodebookEntry("text", "text", "The answer to an open question; empty otherwise. "
                      "Text starting with = + - @, a tab or a carriage return has a leading "
                      "apostrophe added.", "any text"),
        CodebookEntry("change reason", "text",
                      "Why the participant changed their score, if they said.", "any text"),
        CodebookEntry("source", "text", "How the answer was entered.",
                      "online; assisted (entered by the team for the participant); imported"),
        CodebookEntry("answered at", "date-time",
                      "When the answer was last saved, UTC, ISO 8601.", "2026-03-02T09:00:00Z"),
    )


def codebook_table(study: Study) -> Table:
    return Table("Codebook", ("column", "type", "meaning", "allowed values"),
                 [(e.column, e.type, e.meaning, e.allowed) for e in codebook(study)])


# --- comments, suggestions, item histories, audit log ---------------------------------------


def comments_table(study: Study, rounds: Sequence[Round]) -> Table:
    """Every comment of real participants in ``rounds``: both texts, state and time."""
    columns = ("round", "item number", "item id", "item version", "item wording", "pseudonym",
               "original text", "shown text", "moderation state", "written at")
    rows: list[tuple[Cell, ...]] = []
    for round_ in rounds:
        in_order = sorted(round_.round_items, key=lambda ri: (ri.position, ri.id))
        number_of = {ri.item_id: number for number, ri in enumerate(in_order, start=1)}
        rows.extend(
            (round_.number, number_of.get(c.item_id), c.item_id, c.item_version, c.item_text,
             c.pseudonym, c.original_text, c.shown_text, c.state, c.created_at)
            for c in moderation.comments_for_export(round_)
        )
    return Table("Comments", columns, rows)


def suggestions_table(study: Study, round_: Round | None) -> Table:
    """Every real participant's suggestion, its group and the items made from the group."""
    columns = ("round", "suggestion id", "pseudonym", "original text", "shown text",
               "moderation state", "grouped under", "item ids", "item wordings")
    pseudonyms = dict(db.session.execute(
        select(Suggestion.id, Participant.pseudonym)
        .join(Participant, Participant.id == Suggestion.participant_id)
        .where(Participant.study_id == study.id)).all())
    rows: list[tuple[Cell, ...]] = []
    for group in suggestions.groups(study):
        made_ids = "; ".join(str(item.id) for item in group.items)
        made_texts = "\n".join(item.current.text for item in group.items)
        for entry in group.all:
            if round_ is not None and entry.round_id != round_.id:
                continue
            shown = (entry.shown_text if entry.moderation_state == ModerationState.APPROVED
                     else "")
            rows.append((entry.round.number, entry.id, pseudonyms.get(entry.id, ""),
                         entry.original_text, shown, entry.moderation_state.value,
                         entry.merged_into_id, made_ids, made_texts))
    rows.sort(key=lambda row: (row[0], row[1]))
    return Table("Suggestions", columns, rows)


def item_histories_table(study: Study) -> Table:
    """Each item's versions, typo fixes, links and events, oldest first within an item."""
    columns = ("item id", "item status", "entry", "version", "text", "text before", "reason",
               "by", "at", "linked item id", "linked suggestion id")
    rows: list[tuple[Cell, ...]] = []
    for item in study.items:
        history = item_history.item_history(item)
        status = item.status.value
        for entry in history.versions:
            version = entry.version
            rows.append((item.id, status, "version", version.number, version.text, "",
                         version.change_reason or "", entry.who, version.created_at, None,
                         None))
            rows.extend((item.id, status, "typo fix", version.number, fix.after, fix.before,
                         "", fix.who, fix.at, None, None) for fix in entry.typo_fixes)
        for direction, links in (("came from", history.came_from),
                                 ("went to", history.went_to)):
            rows.extend(
                (item.id, status, f"{direction}: {link.kind.replace('_', ' ')}", None,
                 link.item.current.text if link.item is not None and link.item.versions
                 else (link.suggestion.original_text if link.suggestion else ""),
                 "", "", "", None, link.item.id if link.item else None,
                 link.suggestion.id if link.suggestion else None)
                for link in links)
        rows.extend((item.id, status, event.action, None, "", "", event.reason, event.who,
                     event.at, None, None) for event in history.events)
    return Table("Item histories", columns, rows)


def _actor(email: str | None, action: str) -> str:
    if email:
        return email
    return "participant" if action.startswith("participant.") else "system"


def audit_table(study: Study) -> Table:
    """One row per audit event of the study, oldest first; details as JSON text."""
    columns = ("at", "who", "action", "target", "details")
    query = (select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.user_id)
             .where(AuditEvent.study_id == study.id)
             .order_by(AuditEvent.created_at, AuditEvent.id))
    rows: list[tuple[Cell, ...]] = [
        (event.created_at, _actor(email, event.action), event.action, event.target,
         json.dumps(event.details or {}, sort_keys=True, ensure_ascii=False, default=str))
        for event, email in db.session.execute(query)
    ]
    return Table("Audit log", columns, rows)


# --- the entry point ---------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """One line of the downloads page: an export (for one round, or the whole study)."""

    name: str
    title: str
    description: str
    formats: tuple[str, ...]
    round_number: int | None = None
    source: str = ""


def downloads(study: Study, by: User) -> list[Download]:
    """The exports ``by`` may download: results once per round they may see, then the rest.

    Raises
    ------
    Forbidden
        ``by`` is not on the study's team.
    """
    role = _member_role(study, by)
    found = [
        Download("results", f"{TITLES['results']}, round {round_.number}",
                 DESCRIPTIONS["results"], EXPORTS["results"], round_.number,
                 PUBLISHED_SOURCE if round_.state == RoundState.PUBLISHED else LIVE_SOURCE)
        for round_ in _rounds_for(study, None, role)
    ]
    found.extend(
        Download("rankings", f"{TITLES['rankings']}, round {round_.number}",
                 DESCRIPTIONS["rankings"], EXPORTS["rankings"], round_.number)
        for round_ in ranking_rounds(study, None)
    )
    found.extend(
        Download(name, TITLES[name], DESCRIPTIONS[name], formats)
        for name, formats in EXPORTS.items()
        if name not in ROUND_REQUIRED | {"rankings"}
        and (name not in EDITORS_ONLY or role in EDITOR_ROLES)
        and (name not in PRIORITY_SETTING_ONLY or study.kind == StudyKind.PRIORITY_SETTING)
        and (name not in WORKSHOP_ONLY or workshop_service.workshop_round(study) is not None)
        and (name not in CHNRI_ONLY or study.kind == StudyKind.CHNRI)
    )
    return found




def _table(study: Study, name: str, round_: Round | None, role: Role | None) -> Table:
    builders: dict[str, Callable[[], Table]] = {
        "results": lambda: results_table(study, round_),
        "answers": lambda: answers_table(study, _rounds_for(study, round_, role)),
        "codebook": lambda: codebook_table(study),
        "comments": lambda: comments_table(study, _rounds_for(study, round_, role)),
        "suggestions": lambda: suggestions_table(study, round_),
        "item-histories": lambda: item_histories_table(study),
        "audit-log": lambda: audit_table(study),
        "rankings": lambda: rankings_table(study, ranking_rounds(study, round_)),
        "trail": lambda: trail_table(study),
        "workshop": lambda: workshop_table(study),
        "workshop-results": lambda: workshop_results_table(study),
        "chnri": lambda: chnri_table(study),
    }
    return builders[name]()


def filename(study: Study, name: str, fmt: str, round_number: int | None = None) -> str:
    """Like ``hip-fracture-round-1-results.csv``: the study title's slug, round, export."""
    parts = [slug(study.title, f"study-{study.id}")]
    if round_number is not None:
        parts.append(f"round-{round_number}")
    parts.append(name)
    return "-".join(parts) + "." + fmt


@unit_of_work
def export(study: Study, name: str, fmt: str, round_number: int | None = None, *,
           by: User | None = None) -> ExportFile:
    """The file of export ``name`` in format ``fmt`` (one round's where it needs one).

    ``by`` is who downloads it: they must be on the study's team, the audit log is for
    owners and facilitators, and a steering member gets no data of a round still open.
    Records ``export.downloaded`` (target the export's name; format and round) in the audit
    log. ``by`` None is the app itself (command line), which may have everything.

    Raises
    ------
    NotFound
        An unknown export, a format it does not come in, or a round the study lacks.
    ValidationError
        A round-specific export without a round, a round given for an export of the whole
        study, or a round that has not opened.
    Forbidden
        ``by`` may not have this export or this round's data.
    """
    formats = EXPORTS.get(name)
    if formats is None:
        raise NotFound(f"There is no export called “{name}”. The exports are: "
                       f"{', '.join(EXPORTS)}.")
    if fmt not in formats:
        raise NotFound(f"The {TITLES[name].lower()} export comes as "
                       f"{' or '.join(f.upper() for f in formats)}, not “{fmt}”.")
    role = _check_access(study, name, by)
    round_ = None
    if round_number is not None:
        if name not in ROUND_REQUIRED | ROUND_OPTIONAL:
            raise ValidationError(f"The {TITLES[name].lower()} covers the whole study; "
                                  "leave out the round.")
        round_ = _round(study, round_number, role)
    elif name in ROUND_REQUIRED:
        raise ValidationError(f"Choose a round: the {TITLES[name].lower()} export is made "
                              "one round at a time.")
    table = _table(study, name, round_, role)
    if fmt == "csv":
        data = write_csv(table)
    elif fmt == "xlsx":
        data = write_xlsx(table)
    else:
        data = write_json(table, {"study": study.title, "study id": study.id, "export": name,
                                  "round": round_number, "created at": utc_iso(utcnow())})
    audit.record(study, by, "export.downloaded", name, format=fmt, round=round_number)
    return ExportFile(filename(study, name, fmt, round_number), CONTENT_TYPES[fmt], data)
