"""The uncertainty intake of a priority setting partnership: from submissions to questions.

A James Lind Alliance partnership's first survey asks open questions; each answer is a
:class:`Suggestion` (a "submission"). The team groups duplicates and writes an indicative
question from each group with :mod:`.suggestions` (the grouping lives there, not here). This
module adds what the intake needs on top:

- **Scope.** A submission outside the partnership's scope is marked out of scope with a
  reason (``Suggestion.out_of_scope_reason``; None means in scope), or put back in scope.
  An out-of-scope submission cannot be grouped or made into an item; a submission already
  grouped or made into an item cannot be marked out of scope.
- **Who sent it.** ``respondent_type`` (free text; the participant's stakeholder group name
  until someone records another) and ``organisation`` (optional).
- **Counting** (:func:`count_respondents`): distinct participants, except that every
  submission naming the same organisation counts as one respondent.
- **Evidence check.** Each indicative question is marked answered, partly answered or
  unanswered by existing research, with a note of the source. Answered questions do not go
  into the interim survey: :func:`delphi.services.rounds.prepare_next_round` leaves them out.
- **The audit trail** from each raw submission to the final top 10 (:func:`trail`), which
  partnerships publish; the ``trail`` export writes it.

Every change is recorded in the audit log (``intake.out_of_scope``, ``intake.in_scope``,
``intake.respondent_changed``, ``intake.evidence_checked``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import StateError, ValidationError
from ..extensions import db
from ..models import (
    EvidenceStatus,
    Item,
    ItemLink,
    ItemStatus,
    LinkKind,
    ModerationState,
    Participant,
    Round,
    RoundState,
    Study,
    Suggestion,
    User,
)
from . import audit, ranking_results, suggestions, workshop, workshop_results
from .transaction import unit_of_work

RESPONDENT_TYPES = ("Patient", "Carer", "Health or care professional", "Organisation")
"""Respondent types offered as suggestions; any other wording may be typed."""

NOT_RECORDED = "Not recorded"
NOT_CHECKED = "Not yet checked"
EVIDENCE_WORDS = {
    EvidenceStatus.ANSWERED: "Answered by research",
    EvidenceStatus.PARTLY_ANSWERED: "Partly answered",
    EvidenceStatus.UNANSWERED: "Unanswered",
}
MAX_REASON_LENGTH = 1000
MAX_TYPE_LENGTH = 100
MAX_ORGANISATION_LENGTH = 200
MAX_NOTE_LENGTH = 2000


class IntakeError(ValidationError):
    """Input the intake refused; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# --- who sent it, and counting -------------------------------------------------------------


def respondent_type_of(submission: Suggestion) -> str:
    """The recorded respondent type, else the participant's stakeholder group name, else ""."""
    if submission.respondent_type.strip():
        return submission.respondent_type.strip()
    group = submission.participant.group
    return group.name if group is not None else ""


def respondent_key(submission: Suggestion) -> tuple[str, str | int]:
    """Who counts as the respondent: the organisation (trimmed, case-insensitive) when one
    is named, else the participant."""
    organisation = submission.organisation.strip().casefold()
    if organisation:
        return ("organisation", organisation)
    return ("participant", submission.participant_id)


def count_respondents(submissions: Iterable[Suggestion]) -> int:
    """The number of different respondents behind ``submissions``.

    Distinct participants, except that all submissions naming the same organisation
    (compared trimmed and case-insensitively) count as ONE respondent, whoever sent them.
    Source: JLA Guidebook, chapters 7–8: repeated submissions from one single-issue
    organisation are noted but not counted as separate.
    Example: three submissions from "Hip Support UK", " hip support uk " and one other
    participant with no organisation -> 2 respondents.
    """
    return len({respondent_key(submission) for submission in submissions})


def respondents_by_type(submissions: Iterable[Suggestion]) -> tuple[tuple[str, int], ...]:
    """Respondents (as :func:`count_respondents` counts them) per respondent type, most first.

    A respondent counts once, under the type of their earliest submission; "Not recorded"
    when it has none. The counts add up to the number of respondents.
    """
    first: dict[tuple[str, str | int], str] = {}
    for submission in sorted(submissions, key=lambda s: (s.created_at, s.id)):
        first.setdefault(respondent_key(submission),
                         respondent_type_of(submission) or NOT_RECORDED)
    counts = Counter(first.values())
    return tuple(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicativeQuestion:
    """An item made from submissions, with how many submissions and respondents raised it."""

    item: Item
    submissions: tuple[Suggestion, ...]
    respondents: int
    by_type: tuple[tuple[str, int], ...]
    draft_rounds: tuple[int, ...] = ()
    """Numbers of draft rounds that hold the item (shown when it is answered)."""

    @property
    def evidence_words(self) -> str:
        status = self.item.evidence_status
        return EVIDENCE_WORDS[status] if status is not None else NOT_CHECKED

    @property
    def types_words(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in self.by_type)


@dataclass(frozen=True)
class IntakeSummary:
    """The counts at the top of the intake page."""

    received: int
    out_of_scope: int
    not_in_a_question: int
    questions: int
    answered: int
    partly_answered: int
    unanswered: int
    not_checked: int


@dataclass(frozen=True)
class Intake:
    """The intake of a study: counts, indicative questions, and submissions out of scope."""

    summary: IntakeSummary
    questions: tuple[IndicativeQuestion, ...]
    out_of_scope: tuple[Suggestion, ...]

    @property
    def left_out(self) -> tuple[IndicativeQuestion, ...]:
        """Questions answered by research: the interim survey leaves them out."""
        return tuple(q for q in self.questions
                     if q.item.evidence_status == EvidenceStatus.ANSWERED)


def _preload(study: Study) -> tuple[list[Participant], list[Item]]:
    """The study's participants with their groups and its items with their wordings, in
    four queries, so reading each submission's sender and each question's wording does not
    query once per row. The caller keeps the lists while it reads: the session holds only
    weak references."""
    return (list(db.session.scalars(select(Participant).where(Participant.study_id == study.id)
                                    .options(selectinload(Participant.group)))),
            list(db.session.scalars(select(Item).where(Item.study_id == study.id)
                                    .options(selectinload(Item.versions)))))


def _questions(groups: list[suggestions.SuggestionGroup]) -> dict[int, list[Suggestion]]:
    """Item id -> the submissions behind it (every member of each group the item came from)."""
    behind: dict[int, dict[int, Suggestion]] = {}
    for group in groups:
        for item in group.items:
            found = behind.setdefault(item.id, {})
            for submission in group.all:
                found[submission.id] = submission
    return {item_id: sorted(found.values(), key=lambda s: (s.created_at, s.id))
            for item_id, found in behind.items()}


def _draft_rounds(study: Study) -> dict[int, list[int]]:
    held: dict[int, list[int]] = {}
    for round_ in study.rounds:
        if round_.state == RoundState.DRAFT:
            for round_item in round_.round_items:
                held.setdefault(round_item.item_id, []).append(round_.number)
    return held


def intake(study: Study) -> Intake:
    """The study's intake: counts, each indicative question in use (items made from
    submissions, in the items' order) and the submissions out of scope."""
    loaded = _preload(study)  # noqa: F841  (kept alive while the rows are read)
    groups = suggestions.groups(study)
    submissions = [submission for group in groups for submission in group.all]
    behind = _questions(groups)
    made = {item.id: item for group in groups for item in group.items}
    in_use = sorted((item for item in made.values() if item.status == ItemStatus.ACTIVE),
                    key=lambda item: (item.position, item.id))
    drafts = _draft_rounds(study)
    questions = tuple(
        IndicativeQuestion(item, tuple(behind[item.id]), count_respondents(behind[item.id]),
                           respondents_by_type(behind[item.id]),
                           tuple(drafts.get(item.id, ())))
        for item in in_use)
    out = tuple(sorted((s for s in submissions if s.out_of_scope_reason is not None),
                       key=lambda s: (s.round.number, s.created_at, s.id)))
    statuses = Counter(question.item.evidence_status for question in questions)
    summary = IntakeSummary(
        received=len(submissions), out_of_scope=len(out),
        not_in_a_question=sum(1 for group in groups if not group.items for s in group.all
                              if s.out_of_scope_reason is None),
        questions=len(questions), answered=statuses[EvidenceStatus.ANSWERED],
        partly_answered=statuses[EvidenceStatus.PARTLY_ANSWERED],
        unanswered=statuses[EvidenceStatus.UNANSWERED], not_checked=statuses[None])
    return Intake(summary, questions, out)


# --- changing ------------------------------------------------------------------------------


def _made_into_item(submission: Suggestion) -> bool:
    return db.session.scalar(
        select(ItemLink.id).where(ItemLink.suggestion_id == submission.id,
                                  ItemLink.kind == LinkKind.FROM_SUGGESTION).limit(1)
    ) is not None


def _leads_a_group(submission: Suggestion) -> bool:
    return db.session.scalar(
        select(Suggestion.id).where(Suggestion.merged_into_id == submission.id).limit(1)
    ) is not None


@unit_of_work
def mark_out_of_scope(submission: Suggestion, *, by: User, reason: str) -> Suggestion:
    """Mark a submission out of the partnership's scope, with the reason (a new reason
    replaces the old one).

    Raises
    ------
    IntakeError
        No reason, or one longer than 1,000 characters (``field`` "reason").
    StateError
        The submission is grouped with others or an item was made from it.
    """
    reason = (reason or "").strip()
    if not reason:
        raise IntakeError("Enter why this submission is out of scope", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise IntakeError(f"The reason must be {MAX_REASON_LENGTH:,} characters or fewer",
                          field="reason")
    if submission.merged_into_id is not None:
        raise StateError("This submission is grouped under another one. Take it out of the "
                         "group first, then mark it out of scope.")
    if _leads_a_group(submission):
        raise StateError("Other submissions are grouped under this one. Take them out of the "
                         "group first, then mark it out of scope.")
    if _made_into_item(submission):
        raise StateError("An indicative question was made from this submission, so it is in "
                         "scope. Retire that item first if the question is out of scope.")
    before = submission.out_of_scope_reason
    submission.out_of_scope_reason = reason
    audit.record(submission.round.study, by, "intake.out_of_scope",
                 f"suggestion {submission.id}", reason=reason, before=before)
    return submission


@unit_of_work
def mark_in_scope(submission: Suggestion, *, by: User) -> Suggestion:
    """Put a submission marked out of scope back in scope.

    Raises
    ------
    StateError
        The submission is in scope already.
    """
    if submission.out_of_scope_reason is None:
        raise StateError("This submission is in scope already.")
    before = submission.out_of_scope_reason
    submission.out_of_scope_reason = None
    audit.record(submission.round.study, by, "intake.in_scope", f"suggestion {submission.id}",
                 before=before)
    return submission


@unit_of_work
def set_respondent(submission: Suggestion, *, by: User, respondent_type: str,
                   organisation: str = "") -> Suggestion:
    """Record who sent a submission: the respondent type and, if any, the organisation.

    Raises
    ------
    IntakeError
        The type is empty or longer than 100 characters (``field`` "respondent_type"), or
        the organisation is longer than 200 (``field`` "organisation").
    """
    respondent_type = " ".join((respondent_type or "").split())
    organisation = " ".join((organisation or "").split())
    if not respondent_type:
        raise IntakeError("Enter the respondent type, for example Patient or Carer",
                          field="respondent_type")
    if len(respondent_type) > MAX_TYPE_LENGTH:
        raise IntakeError(f"The respondent type must be {MAX_TYPE_LENGTH} characters or "
                          "fewer", field="respondent_type")
    if len(organisation) > MAX_ORGANISATION_LENGTH:
        raise IntakeError(f"The organisation must be {MAX_ORGANISATION_LENGTH} characters or "
                          "fewer", field="organisation")
    before = {"respondent_type": submission.respondent_type,
              "organisation": submission.organisation}
    submission.respondent_type = respondent_type
    submission.organisation = organisation
    audit.record(submission.round.study, by, "intake.respondent_changed",
                 f"suggestion {submission.id}", respondent_type=respondent_type,
                 organisation=organisation, before=before)
    return submission


@unit_of_work
def set_evidence(item: Item, *, by: User, status: str, note: str = "") -> Item:
    """Record the evidence check of an indicative question, with a note of the source.

    The note is required when the question is answered or partly answered (say where the
    answer is, for example a systematic review).

    Raises
    ------
    IntakeError
        An unknown status (``field`` "status"), or a missing or over-long note (``field``
        "note").
    """
    try:
        found = EvidenceStatus(status)
    except ValueError:
        raise IntakeError("Choose whether research has answered the question",
                          field="status") from None
    note = (note or "").strip()
    if found != EvidenceStatus.UNANSWERED and not note:
        raise IntakeError("Enter the source of the answer, for example a systematic review",
                          field="note")
    if len(note) > MAX_NOTE_LENGTH:
        raise IntakeError(f"The note must be {MAX_NOTE_LENGTH:,} characters or fewer",
                          field="note")
    before = item.evidence_status.value if item.evidence_status is not None else None
    item.evidence_status = found
    item.evidence_note = note
    audit.record(item.study, by, "intake.evidence_checked", f"item {item.id}",
                 status=found.value, note=note, before=before)
    return item


# --- the audit trail -----------------------------------------------------------------------


@dataclass(frozen=True)
class TrailRow:
    """One submission (and, when it was made into several items, one of them) on its way
    from what was written to the final top 10."""

    submission_id: int
    round_number: int
    respondent_type: str
    organisation: str
    original_text: str
    shown_text: str
    in_scope: bool
    out_of_scope_reason: str
    grouped_under: int | None
    item_id: int | None
    item_text: str
    evidence_status: str
    evidence_note: str
    interim_place: int | float | None
    """Place in the interim survey's James Lind Alliance list; tied items share the average."""
    shortlisted: bool | None
    workshop_place: int | None
    """Place in the final workshop's order (1 = top), once a workshop session has closed."""


def interim_round(study: Study) -> Round | None:
    """The study's interim survey: its latest closed or published ranking round, if any."""
    finished = [round_ for round_ in study.rounds
                if round_.kind in ranking_results.RANKING_KINDS
                and round_.state in ranking_results.FINISHED]
    return finished[-1] if finished else None


def _whole(place: float) -> int | float:
    return int(place) if float(place).is_integer() else float(place)


def _interim_places(study: Study) -> tuple[dict[int, int | float], tuple[int, ...] | None]:
    """Item id -> place in the interim survey's JLA list, and the shortlist in force."""
    round_ = interim_round(study)
    if round_ is None:
        return {}, None
    try:
        found = ranking_results.ranking_results(round_)
    except ValidationError:
        return {}, None
    return ({row.item_id: _whole(row.position) for row in found.rows},
            ranking_results.shortlisted_items(round_))


def _workshop_places(study: Study) -> dict[int, int]:
    """Item id -> place in the final workshop's order (see
    :func:`delphi.services.workshop_results.final_result`); empty before a session has closed."""
    round_ = workshop.workshop_round(study)
    final = workshop_results.final_result(round_) if round_ is not None else None
    if final is None:
        return {}
    return {row.item.id: row.place for row in final.rows}


def trail(study: Study) -> list[TrailRow]:
    """Each real participant's submission, by round and id: who sent it, its texts, scope,
    group, indicative question, evidence check, interim survey place, shortlist and final
    workshop place. A submission behind several items has a row for each."""
    loaded = _preload(study)  # noqa: F841  (kept alive while the rows are read)
    places, shortlist = _interim_places(study)
    final = _workshop_places(study)
    rows = []
    for group in suggestions.groups(study):
        for submission in group.all:
            shown = (submission.shown_text
                     if submission.moderation_state == ModerationState.APPROVED else "")
            for item in group.items or (None,):
                status = item.evidence_status if item is not None else None
                rows.append(TrailRow(
                    submission_id=submission.id, round_number=submission.round.number,
                    respondent_type=respondent_type_of(submission),
                    organisation=submission.organisation,
                    original_text=submission.original_text, shown_text=shown,
                    in_scope=submission.out_of_scope_reason is None,
                    out_of_scope_reason=submission.out_of_scope_reason or "",
                    grouped_under=submission.merged_into_id,
                    item_id=item.id if item is not None else None,
                    item_text=item.current.text if item is not None else "",
                    evidence_status=status.value if status is not None else "",
                    evidence_note=item.evidence_note if item is not None else "",
                    interim_place=places.get(item.id) if item is not None else None,
                    shortlisted=(None if item is None or shortlist is None
                                 else item.id in shortlist),
                    workshop_place=final.get(item.id) if item is not None else None,
                ))
    rows.sort(key=lambda row: (row.round_number, row.submission_id, row.item_id or 0))
    return rows


@dataclass(frozen=True)
class TrailQuestion:
    """An indicative question on the trail page, with the submissions behind it."""

    item_id: int
    item_text: str
    evidence_status: str
    evidence_note: str
    interim_place: int | float | None
    shortlisted: bool | None
    workshop_place: int | None
    submissions: tuple[TrailRow, ...]


@dataclass(frozen=True)
class TrailPage:
    """The trail grouped for reading: questions (the final order first), then submissions in
    scope but in no question, then those out of scope."""

    questions: tuple[TrailQuestion, ...]
    not_in_a_question: tuple[TrailRow, ...]
    out_of_scope: tuple[TrailRow, ...]


def _far(place: float | None) -> float:
    return float("inf") if place is None else float(place)


def trail_page(study: Study) -> TrailPage:
    """:func:`trail` grouped by indicative question, ordered by final workshop place, then
    interim survey place, then item id."""
    rows = trail(study)
    grouped: dict[int, list[TrailRow]] = {}
    for row in rows:
        if row.item_id is not None:
            grouped.setdefault(row.item_id, []).append(row)
    questions = sorted(
        (TrailQuestion(first.item_id, first.item_text, first.evidence_status,
                       first.evidence_note, first.interim_place, first.shortlisted,
                       first.workshop_place, tuple(found))
         for found in grouped.values() for first in found[:1]),
        key=lambda q: (_far(q.workshop_place), _far(q.interim_place), q.item_id))
    return TrailPage(
        tuple(questions),
        tuple(row for row in rows if row.item_id is None and row.in_scope),
        tuple(row for row in rows if not row.in_scope))
